import { execFile } from 'node:child_process';
import { TsplayError } from '../errors.js';
import { CycleError, type InventoryData } from './data.js';

/**
 * An executable inventory: `SCRIPT --list` prints JSON groups (`{hosts, vars, children}`, a
 * bare list of hosts, or a bare mapping of variables meaning a host of the group's name) and
 * optionally `_meta.hostvars`; without `_meta`, `SCRIPT --host NAME` is asked for each host.
 */
/** How long an inventory script may take (TSPLAY_INVENTORY_TIMEOUT seconds, default 60): a hung one must not hang the run. */
function scriptTimeoutMs(): number {
  const s = Number(process.env.TSPLAY_INVENTORY_TIMEOUT ?? 60);
  return Number.isFinite(s) && s > 0 ? s * 1000 : 60_000;
}

function run(file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string; spawnError?: string }> {
  return new Promise((resolve) => {
    const timeout = scriptTimeoutMs();
    execFile(file, args, { maxBuffer: 256 * 1024 * 1024, encoding: 'utf8', timeout, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const e = error as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
      if (e?.killed) resolve({ code: -1, stdout, stderr, spawnError: `did not finish within ${timeout / 1000} s (TSPLAY_INVENTORY_TIMEOUT) and was killed` });
      else if (e && typeof e.code === 'string') resolve({ code: -1, stdout, stderr, spawnError: e.message });
      else resolve({ code: e ? Number(e.code ?? 1) : 0, stdout, stderr });
    });
  });
}

export async function parseScript(file: string, data: InventoryData): Promise<void> {
  const fail = (msg: string): never => {
    throw new TsplayError(msg, { code: 1, where: { file } });
  };
  const firstLine = (s: string) => s.trim().split('\n')[0] ?? '';
  const res = await run(file, ['--list']);
  if (res.spawnError) fail(`inventory script ${res.spawnError.startsWith('did not') ? res.spawnError : `cannot run: ${res.spawnError}`}`);
  if (res.code !== 0) fail(`inventory script exited with status ${res.code}${res.stderr.trim() ? `: ${firstLine(res.stderr)}` : ''}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(res.stdout);
  } catch (e) {
    return fail(`inventory script printed invalid JSON for --list: ${firstLine((e as Error).message)}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) fail('inventory script --list must print a JSON object');

  const hosts = new Set<string>();
  let meta: Record<string, unknown> | undefined;
  for (const [group, raw] of Object.entries(parsed as Record<string, unknown>)) {
    if (group === '_meta') {
      const hv = (raw as { hostvars?: unknown } | null)?.hostvars;
      if (hv !== undefined) {
        if (hv === null || typeof hv !== 'object' || Array.isArray(hv)) fail('_meta.hostvars must be a JSON object');
        meta = hv as Record<string, unknown>;
      }
      continue;
    }
    data.addGroup(group);
    let body: Record<string, unknown>;
    if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) body = { hosts: raw };
    else if (!['hosts', 'vars', 'children'].some((k) => k in raw)) body = { hosts: [group], vars: raw };
    else body = raw as Record<string, unknown>;
    if ('hosts' in body) {
      if (!Array.isArray(body.hosts)) fail(`group '${group}' has bad data for its host list: ${JSON.stringify(body.hosts)}`);
      for (const h of body.hosts as unknown[]) {
        hosts.add(String(h));
        data.addHost(String(h), group);
      }
    }
    if ('vars' in body) {
      const vars = body.vars;
      if (vars === null || typeof vars !== 'object' || Array.isArray(vars)) fail(`group '${group}' has bad data for its variables: ${JSON.stringify(vars)}`);
      for (const [k, v] of Object.entries(vars as object)) data.setGroupVar(group, k, v);
    }
    if ('children' in body) {
      for (const child of (Array.isArray(body.children) ? body.children : Object.keys(body.children ?? {})) as unknown[]) {
        data.addGroup(String(child));
        try {
          data.addChild(group, String(child));
        } catch (e) {
          if (e instanceof CycleError) fail(e.message);
          throw e;
        }
      }
    }
  }

  for (const h of hosts) {
    let vars: unknown = {};
    if (meta) vars = meta[h] ?? {};
    else {
      const r = await run(file, ['--host', h]);
      if (r.spawnError) fail(`cannot run inventory script: ${r.spawnError}`);
      if (r.stdout.trim() !== '') {
        try {
          vars = JSON.parse(r.stdout);
        } catch (e) {
          return fail(`inventory script printed invalid JSON for --host ${h}: ${firstLine((e as Error).message)}`);
        }
      }
    }
    if (vars === null || typeof vars !== 'object' || Array.isArray(vars)) fail(`variables of host '${h}' must be a JSON object`);
    for (const [k, v] of Object.entries(vars as object)) data.setHostVar(h, k, v);
  }
}
