import { existsSync, readdirSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { ExitCode, TsplayError } from '../errors.js';
import { startLab, type Lab } from './lab.js';
import { procStart, readState, reapOrphans, stateFile, stopUp, upAlive, writeState } from './state.js';

const DEFAULT_DIR = '.lab';
const out = (s: string) => process.stdout.write(s + '\n');

/** A dir `lab up` may (re)use: absent, empty, or an earlier lab whose up process is gone. */
async function prepareDir(dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  const state = readState(dir);
  if (state && upAlive(state)) throw new TsplayError(`a lab is already up in ${dir} (pid ${state.pid}): run 'tsplay lab down --dir ${dir}' first`);
  if (state) await reapOrphans(state);
  else if (readdirSync(dir).length > 0) throw new TsplayError(`${dir} is not empty and holds no lab (no lab.json): choose another --dir`);
  rmSync(dir, { recursive: true, force: true });
}

function describe(lab: Lab, dir: string): void {
  out(`lab up: ${lab.site.name} (${lab.fleet.hosts.length} hosts) in ${dir}`);
  for (const h of lab.fleet.hosts) {
    const groups = Object.entries(lab.site.groups).filter(([g, m]) => g !== 'all' && g !== 'ungrouped' && m.includes(h.name)).map(([g]) => g);
    out(`  ${h.name.padEnd(16)} ${h.address}:${h.port}  ${groups.join(',')}`);
  }
  out(`  postgres         127.0.0.1:${lab.postgres.port}  (database sre)`);
  out(`  mariadb          127.0.0.1:${lab.mariadb.port}  (database opensips_2_3; ~/.my.cnf on the opensips hosts)`);
  out(`inventory: ${lab.inventory}`);
  out(`try:       tsplay playbooks/upgrade.yml -i ${lab.inventory} -e src_rpm=sre-4.0.2.x86_64.rpm`);
  out(`stop:      Ctrl-C, or tsplay lab down --dir ${dir}`);
}

export async function labUp(flags: { site?: string; dir?: string }): Promise<number> {
  const dir = resolve(flags.dir ?? DEFAULT_DIR);
  await prepareDir(dir);
  const lab = await startLab({ site: flags.site, dir });
  writeState(dir, {
    pid: process.pid,
    start: procStart(process.pid)!,
    site: lab.site.name,
    inventory: lab.inventory,
    hostRoots: Object.fromEntries(lab.fleet.hosts.map((h) => [h.name, h.root])),
    sshdPids: lab.fleet.hosts.map((h) => h.pid),
    postgres: { dataDir: lab.postgres.dataDir, port: lab.postgres.port },
    mariadb: { dataDir: lab.mariadb.dataDir, port: lab.mariadb.port, pid: lab.mariadb.pid, socket: lab.mariadb.socket },
  });
  describe(lab, dir);
  // In the foreground until a signal: then everything it started stops, and lab.json goes.
  await new Promise<void>((done) => {
    const keepAlive = setInterval(() => {}, 1 << 30);
    const onSignal = () => {
      clearInterval(keepAlive);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      void lab.stop().finally(() => {
        rmSync(stateFile(dir), { force: true });
        out('lab down');
        done();
      });
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  return ExitCode.ok;
}

export async function labDown(flags: { dir?: string }): Promise<number> {
  const dir = resolve(flags.dir ?? DEFAULT_DIR);
  const state = readState(dir);
  if (!state) throw new TsplayError(`no lab in ${dir} (no lab.json)`);
  if (upAlive(state)) {
    if (!(await stopUp(state))) throw new TsplayError(`the lab's process ${state.pid} did not stop within 60 s`);
  } else {
    await reapOrphans(state);
    rmSync(stateFile(dir), { force: true });
  }
  out(`lab down: ${dir}`);
  return ExitCode.ok;
}
