import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface DebSpec {
  name: string;
  version: string;
  depends?: string[];
  /** Files the package installs, by absolute path: keep them under private dirs (/opt, /srv). */
  files?: Record<string, string>;
}

/** Build a binary .deb with dpkg-deb into `outDir`; returns its path. Arch `all`, no maintainer scripts. */
export async function buildDeb(spec: DebSpec, outDir: string): Promise<string> {
  const work = await mkdtemp(join(tmpdir(), 'tsplay-deb-'));
  try {
    const files = spec.files ?? { [`/opt/${spec.name}/VERSION`]: `${spec.version}\n` };
    for (const [path, content] of Object.entries(files)) {
      if (!path.startsWith('/opt/') && !path.startsWith('/srv/')) throw new Error(`test .deb ${spec.name}: ${path} is not under /opt or /srv`);
      await mkdir(join(work, path, '..'), { recursive: true });
      await writeFile(join(work, path), content);
    }
    await mkdir(join(work, 'DEBIAN'));
    const control = [
      `Package: ${spec.name}`,
      `Version: ${spec.version}`,
      'Architecture: all',
      'Maintainer: tsplay tests <tests@example.invalid>',
      ...(spec.depends?.length ? [`Depends: ${spec.depends.join(', ')}`] : []),
      'Section: misc',
      'Priority: optional',
      `Description: tsplay test package ${spec.name}`,
      '',
    ].join('\n');
    await writeFile(join(work, 'DEBIAN/control'), control);
    await mkdir(outDir, { recursive: true });
    const out = join(outDir, `${spec.name}_${spec.version}_all.deb`);
    await run('dpkg-deb', ['--build', '--root-owner-group', work, out]);
    return out;
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** (Re)write the index of a flat repository (`deb [trusted=yes] file:DIR ./`) holding every .deb in `dir`. */
export async function indexDebRepo(dir: string): Promise<void> {
  const { stdout } = await run('dpkg-scanpackages', ['--multiversion', '.', '/dev/null'], { cwd: dir });
  await writeFile(join(dir, 'Packages'), stdout);
}
