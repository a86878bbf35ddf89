import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join } from 'node:path';
import SSHConfig, { LineType, type Line } from 'ssh-config';
import { TsplayError } from '../errors.js';
import { wildcardRegExp } from '../util/glob.js';

/**
 * OpenSSH's client configuration, read as `ssh` reads it: `Host`/`Match` sections, first value wins,
 * `IdentityFile` accumulates, `Include` spliced in where it is written (relative paths from ~/.ssh,
 * or /etc/ssh for the system file; `*`/`?` in the file name). The parsing and the section matching
 * are the `ssh-config` package's; this file adds Include and the lookup tsplay needs.
 */

/** What a host's configuration says, keyed by lower-case keyword; repeatable keywords are lists. */
export type SshConfigValues = Record<string, string | string[]>;

export const USER_CONFIG = () => join(homedir(), '.ssh', 'config');
export const SYSTEM_CONFIG = '/etc/ssh/ssh_config';

const cache = new Map<string, SSHConfig>();

function expandTilde(p: string): string {
  return p === '~' ? homedir() : p.startsWith('~/') ? join(homedir(), p.slice(2)) : p;
}

/** Files an Include word names: absolute, ~, or relative to `base`; a glob in the last component. */
function includeFiles(word: string, base: string): string[] {
  const p = expandTilde(word);
  const full = isAbsolute(p) ? p : join(base, p);
  const name = basename(full);
  if (!/[*?]/.test(name)) return existsSync(full) ? [full] : [];
  const dir = dirname(full);
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  const re = wildcardRegExp(name);
  return entries.filter((e) => re.test(e)).sort().map((e) => join(dir, e));
}

function words(value: Line extends infer L ? (L extends { value: infer V } ? V : never) : never): string[] {
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  return value.map((v) => v.val);
}

function parseFile(file: string): SSHConfig {
  try {
    return SSHConfig.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new TsplayError(`cannot read ssh config: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { where: { file } });
  }
}

/** Splice Include directives in, recursively (OpenSSH allows 16 levels). */
function expand(lines: Iterable<Line>, base: string, depth: number, file: string): Line[] {
  if (depth > 16) throw new TsplayError('ssh config: Include nested too deeply', { where: { file } });
  const out: Line[] = [];
  const after: Line[] = [];
  for (const line of lines) {
    if (line.type !== LineType.DIRECTIVE) continue;
    if (/^include$/i.test(line.param)) {
      for (const f of words(line.value).flatMap((w) => includeFiles(w, base))) out.push(...expand(parseFile(f), base, depth + 1, f));
      continue;
    }
    if ('config' in line) {
      // An Include inside a Host/Match section: its plain lines belong to the section, its own sections follow it.
      const inner = expand(line.config, base, depth, file);
      const firstSection = inner.findIndex((l) => 'config' in l);
      const own = firstSection < 0 ? inner : inner.slice(0, firstSection);
      if (firstSection >= 0) after.push(...inner.slice(firstSection));
      line.config.splice(0, line.config.length, ...own);
      out.push(line, ...after.splice(0));
      continue;
    }
    out.push(line);
  }
  return out;
}

/** A config file with its Includes, parsed once per run. A missing file is an empty config. */
export function loadSshConfig(file: string, system = false): SSHConfig {
  let config = cache.get(file);
  if (config) return config;
  config = SSHConfig.parse('');
  if (existsSync(file)) {
    const base = system ? '/etc/ssh' : join(homedir(), '.ssh');
    config.push(...expand(parseFile(file), base, 0, file));
  }
  cache.set(file, config);
  return config;
}

/**
 * What the configuration gives `host`: with `-F FILE` only that file, else ~/.ssh/config then
 * /etc/ssh/ssh_config (earlier files win, as with ssh). Keys are lower-case.
 */
export function lookupSshConfig(host: string, configFile?: string): SshConfigValues {
  const files: [string, boolean][] = configFile ? [[expandTilde(configFile), false]] : [[USER_CONFIG(), false], [SYSTEM_CONFIG, true]];
  if (configFile && !existsSync(files[0]![0])) throw new TsplayError(`ssh config file ${configFile} (-F) does not exist`);
  const out: SshConfigValues = {};
  for (const [file, system] of files) {
    const config = loadSshConfig(file, system);
    if (config.length === 0) continue;
    const values = config.compute(host, { ignoreCase: true }) as Record<string, string | string[]>;
    for (const [k, v] of Object.entries(values)) {
      if (k === 'host' || k === 'match') continue;
      if (Array.isArray(out[k]) && Array.isArray(v) && k === 'identityfile') out[k] = [...(out[k] as string[]), ...v];
      else if (out[k] === undefined) out[k] = v;
    }
  }
  return out;
}

/** The first value of a keyword (multi-word values are joined by spaces). */
export function first(values: SshConfigValues, key: string): string | undefined {
  const v = values[key];
  if (v === undefined) return undefined;
  return Array.isArray(v) ? (key === 'identityfile' ? v[0] : v.join(' ')) : v;
}

export function list(values: SshConfigValues, key: string): string[] {
  const v = values[key];
  return v === undefined ? [] : Array.isArray(v) ? v : v.split(/\s+/).filter(Boolean);
}
