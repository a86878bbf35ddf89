import { globToRegExp } from '../util/glob.js';

/** Small readers of a Debian host's package state: dpkg's status, apt's candidates, a .deb's header. */

/** One package as dpkg and apt see it. */
export interface AptPackage {
  /** As written in the task: `nginx`, `nginx=1.22*`, `nginx:amd64`. */
  spec: string;
  /** The name to query (the spec without `=version`). */
  name: string;
  /** The version pattern after `=`, if any (`*` wildcards as in Ansible). */
  version?: string;
  /** Installed version ("" when not installed). */
  installed: string;
  /** dpkg kept only its configuration files (removed, not purged). */
  configOnly: boolean;
  /** apt's candidate ("" for none: not in any repository). */
  candidate: string;
  /** Every version the repositories (and dpkg) know, from apt-cache policy's version table. */
  versions: string[];
}

/** Split `name=version` as Ansible's apt does (`package_split`). */
export function splitSpec(spec: string): { name: string; version?: string } {
  const eq = spec.indexOf('=');
  if (eq < 0) return { name: spec };
  return { name: spec.slice(0, eq), version: spec.slice(eq + 1) };
}

/** Python's fnmatch, as Ansible's apt matches version patterns (`foo=1.0*`). */
export function versionMatches(pattern: string, version: string): boolean {
  return globToRegExp(pattern).test(version);
}

/** dpkg-query's `${db:Status-Abbrev}`: the second letter is the current state (i installed, c config-files…). */
export function parseDpkgQuery(out: string): { installed: string; configOnly: boolean } {
  for (const line of out.split('\n')) {
    const [abbrev, version] = line.split('\t');
    if (!abbrev || abbrev.length < 2) continue;
    const state = abbrev[1];
    if (state === 'c') return { installed: '', configOnly: true };
    if (state && 'iHUFWt'.includes(state)) return { installed: version ?? '', configOnly: false };
  }
  return { installed: '', configOnly: false };
}

/** `apt-cache policy NAME`: the candidate and the version table. */
export function parsePolicy(out: string): { candidate: string; versions: string[] } {
  const cand = /^\s+Candidate:\s*(\S+)/m.exec(out)?.[1];
  const versions: string[] = [];
  let inTable = false;
  for (const line of out.split('\n')) {
    if (/^\s+Version table:/.test(line)) inTable = true;
    else if (inTable) {
      const m = /^\s+(?:\*\*\*\s+)?(\S+)\s+-?\d+\s*$/.exec(line);
      if (m) versions.push(m[1]!);
    }
  }
  return { candidate: cand && cand !== '(none)' ? cand : '', versions };
}

/** Counts from apt-get's summary line ("1 upgraded, 2 newly installed, 0 to remove and 3 not upgraded."). */
export function aptSummary(out: string): { upgraded: number; installed: number; removed: number } | undefined {
  const m = /(\d+) upgraded, (\d+) newly installed, (?:(\d+) downgraded, )?(\d+) to remove/.exec(out);
  if (!m) return undefined;
  return { upgraded: Number(m[1]) + Number(m[3] ?? 0), installed: Number(m[2]), removed: Number(m[4]) };
}

/** What a simulated apt-get run (`-s`) would do: its Inst/Remv/Purg lines. */
export function simulatedChanges(out: string): string[] {
  return out.split('\n').filter((l) => /^(Inst|Remv|Purg) /.test(l));
}
