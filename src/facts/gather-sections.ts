/** The gather script's output split up: `@name` sections, and the files it read line by line. */
export interface GatherOutput {
  /** Section name → its lines (a `@name rest` header keeps `rest` as the first line). */
  sections: Map<string, string[]>;
  /** File path → its lines, as `grep -H ''` printed them. */
  files: Map<string, string[]>;
  /** Paths that exist on the host (of those the script asked about). */
  exists: Set<string>;
}

export function splitOutput(output: string): GatherOutput {
  const sections = new Map<string, string[]>();
  let current: string[] = [];
  for (const line of output.split('\n')) {
    const m = /^@([a-z][\w-]*)(?: (.*))?$/.exec(line);
    if (m) {
      current = [];
      sections.set(m[1]!, current);
      if (m[2] !== undefined) current.push(m[2]);
    } else current.push(line);
  }
  const files = new Map<string, string[]>();
  for (const line of sections.get('files') ?? []) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const path = line.slice(0, i);
    if (!files.has(path)) files.set(path, []);
    files.get(path)!.push(line.slice(i + 1));
  }
  return { sections, files, exists: new Set((sections.get('exists') ?? []).filter((l) => l !== '')) };
}

/** The first line of a file, trimmed; undefined when the host has no such file. */
export function firstLine(out: GatherOutput, path: string): string | undefined {
  return out.files.get(path)?.[0]?.trim();
}

/** KEY=value lines of a shell-style file (os-release, lsb-release, selinux/config), quotes removed. */
export function shellVars(lines: string[] | undefined): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of lines ?? []) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) vars[m[1]!] = m[2]!.trim().replace(/^(["'])(.*)\1$/, '$2');
  }
  return vars;
}
