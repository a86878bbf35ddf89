import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { repoRoot } from './fleet.js';
import { kamailioCfg, sreAdminScript, sreServerScript, sreUnit } from './rpm-specs/sre.js';

const run = promisify(execFile);

/** Built RPMs are cached here, one directory per hash of everything that goes into them. */
export const RPM_CACHE_DIR = join(repoRoot(), '.work/rpms');

export interface RpmFileSpec {
  /** Absolute path the file gets on the host. */
  path: string;
  content: string;
  /** Default 0644. */
  mode?: number;
}

export interface RpmSpec {
  name: string;
  version: string;
  /** Default "1". */
  release?: string;
  /** Default x86_64 (the seed's file names: sre-4.0.2-1.x86_64.rpm). */
  arch?: string;
  summary?: string;
  files: RpmFileSpec[];
  /** Directories the package owns (removed with it when empty), e.g. /opt/sre. */
  dirs?: string[];
  /** Scriptlet bodies (sh), e.g. `post`. */
  scripts?: Partial<Record<'pre' | 'post' | 'preun' | 'postun', string>>;
}

/** Spec files must not see an unbalanced `%`: rpm would expand it as a macro. */
const escapeMacros = (s: string) => s.replace(/%/g, '%%');

function specText(spec: RpmSpec, stageDir: string): string {
  const lines = [
    `Name: ${spec.name}`,
    `Version: ${spec.version}`,
    `Release: ${spec.release ?? '1'}`,
    `Summary: ${escapeMacros(spec.summary ?? `${spec.name} test package`)}`,
    'License: Proprietary',
    'AutoReqProv: no',
    '',
    '%description',
    `${escapeMacros(spec.summary ?? spec.name)} (built by tsplay src/fleet/rpms.ts).`,
    '',
    '%install',
    `cp -a ${stageDir}/. %{buildroot}/`,
    '',
    '%files',
    '%defattr(-,root,root,-)',
    ...(spec.dirs ?? []).map((d) => `%dir ${d}`),
    ...spec.files.map((f) => f.path),
  ];
  for (const [kind, body] of Object.entries(spec.scripts ?? {})) lines.push('', `%${kind}`, escapeMacros(body));
  return lines.join('\n') + '\n';
}

/** The file name rpmbuild gives the package. */
export function rpmFileName(spec: RpmSpec): string {
  return `${spec.name}-${spec.version}-${spec.release ?? '1'}.${spec.arch ?? 'x86_64'}.rpm`;
}

/**
 * Build one RPM with the real rpmbuild (no dependencies, no debug package, no post-install strip), or
 * return the cached one. Safe when several test workers build the same package at once: each builds in
 * its own temp dir and renames the result into place.
 */
export async function buildRpm(spec: RpmSpec, cacheDir = RPM_CACHE_DIR): Promise<string> {
  const hash = createHash('sha256').update(JSON.stringify(spec)).digest('hex').slice(0, 16);
  const out = join(cacheDir, hash, rpmFileName(spec));
  if (existsSync(out)) return out;
  const work = await mkdtemp(join(tmpdir(), 'tsplay-rpm-'));
  try {
    const stage = join(work, 'stage');
    for (const f of spec.files) {
      if (!f.path.startsWith('/')) throw new Error(`rpm file path must be absolute: ${f.path}`);
      const p = join(stage, f.path);
      await mkdir(dirname(p), { recursive: true });
      await writeFile(p, f.content);
      await chmod(p, f.mode ?? 0o644);
    }
    for (const d of spec.dirs ?? []) await mkdir(join(stage, d), { recursive: true });
    const specPath = join(work, `${spec.name}.spec`);
    await writeFile(specPath, specText(spec, stage));
    const arch = spec.arch ?? 'x86_64';
    await run('rpmbuild', [
      '-bb',
      '--quiet',
      '--target', arch,
      '--define', `_topdir ${join(work, 'top')}`,
      '--define', 'debug_package %{nil}',
      '--define', '__os_install_post %{nil}',
      '--define', '_build_id_links none',
      specPath,
    ]);
    const built = join(work, 'top', 'RPMS', arch, rpmFileName(spec));
    await mkdir(dirname(out), { recursive: true });
    const tmp = `${out}.${process.pid}.tmp`;
    await run('cp', [built, tmp]);
    await rename(tmp, out);
    return out;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`rpmbuild of ${rpmFileName(spec)} failed: ${e.stderr?.trim() || e.message}`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

export type SreVersion = '3.3.0' | '4.0.1' | '4.0.2';
export const SRE_VERSIONS: readonly SreVersion[] = ['3.3.0', '4.0.1', '4.0.2'];

/** The `sre` package of one version: what the seed's procedures install, upgrade and downgrade. */
export function sreSpec(version: SreVersion): RpmSpec {
  return {
    name: 'sre',
    version,
    summary: `SRE ${version} (tsplay lab build)`,
    dirs: ['/opt/sre', '/opt/sre/bin', '/opt/sre/etc', '/opt/sre/etc/kamailio'],
    files: [
      { path: '/opt/sre/VERSION', content: `${version}\n` },
      { path: '/opt/sre/bin/sre-admin', content: sreAdminScript(version), mode: 0o755 },
      { path: '/opt/sre/bin/sre-server', content: sreServerScript(), mode: 0o755 },
      { path: '/opt/sre/etc/kamailio/kamailio.cfg', content: kamailioCfg(version) },
      { path: '/var/lib/lab/units/sre.service', content: sreUnit(version) },
    ],
  };
}

/** Build (once, cached) sre 3.3.0, 4.0.1 and 4.0.2; with `outDir`, copies them there too. */
export async function buildSreRpms(outDir?: string): Promise<Record<SreVersion, string>> {
  const paths = await Promise.all(SRE_VERSIONS.map((v) => buildRpm(sreSpec(v))));
  const result = {} as Record<SreVersion, string>;
  for (const [i, v] of SRE_VERSIONS.entries()) {
    let p = paths[i]!;
    if (outDir) {
      await mkdir(outDir, { recursive: true });
      const dest = join(outDir, rpmFileName(sreSpec(v)));
      await run('cp', [p, dest]);
      p = dest;
    }
    result[v] = p;
  }
  return result;
}
