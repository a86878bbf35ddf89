import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { labDaemons } from '../../src/lab/daemons.js';
import { procStart, type LabState } from '../../src/lab/state.js';
import { repo, runCli, parseRecap, workDir } from '../helpers/cli.js';

const cli = join(repo, 'dist/src/cli.js');
const lab = (args: string[]): ChildProcess => spawn(process.execPath, [cli, 'lab', ...args], { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
const exited = (p: ChildProcess) => new Promise<number | null>((done) => (p.exitCode !== null ? done(p.exitCode) : p.once('exit', (c) => done(c))));

test('lab up brings site B up in the foreground, the same upgrade.yml runs green on it, lab down stops exactly what up started', async (t) => {
  const base = workDir('labcmd-');
  const dir = join(base, 'lab');
  const up = lab(['up', '--site', 'site-b', '--dir', dir]);
  let out = '';
  up.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  const inventory = await new Promise<string>((resolve, reject) => {
    up.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /^inventory: (.+)$/m.exec(out);
      if (m) resolve(m[1]!);
    });
    up.once('exit', () => reject(new Error(`lab up exited: ${out}`)));
  });
  try {
    t.regex(out, /ant-sre-cp-02\s+127\.\d+\.\d+\.\d+:2222\s+cp\b/);
    const state = JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8')) as LabState;
    t.is(state.pid, up.pid!);

    // A second lab in the same dir is refused while this one is up.
    const second = lab(['up', '--dir', dir]);
    let err = '';
    second.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    t.not(await exited(second), 0);
    t.regex(err, /a lab is already up/);

    const run = await runCli(['playbooks/upgrade.yml', '-i', inventory, '-e', 'src_rpm=sre-4.0.2.x86_64.rpm'], { timeoutMs: 400_000 });
    t.is(run.code, 0, run.stdout + run.stderr);
    t.like(parseRecap(run.stdout)['ant-sre-cp-03'], { failures: 0 });
    const masterLog = readFileSync(join(state.hostRoots['ant-sre-em-b']!, 'var/log/lab/actions.log'), 'utf8');
    t.regex(masterLog, /sre-admin db upgrade/, "site B's master EM (ant-sre-em-b) got the schema upgrade");
    t.notRegex(readFileSync(join(state.hostRoots['ant-sre-em-a']!, 'var/log/lab/actions.log'), 'utf8'), /db upgrade/);

    const daemons = labDaemons(state.hostRoots);
    t.true(daemons.length >= 5 + 5 + 4, `kamailio, sre, genesys daemons run: ${daemons.map((d) => `${d.host}/${d.unit}`).join(' ')}`);
    const down = lab(['down', '--dir', dir]);
    let downOut = '';
    down.stdout!.on('data', (c: Buffer) => (downOut += c.toString()));
    t.is(await exited(down), 0);
    t.regex(downOut, /lab down/);
    t.is(await exited(up), 0, out);
    for (const d of daemons) t.is(procStart(d.pid), undefined, `${d.host}/${d.unit} (pid ${d.pid}) stopped`);
    for (const pid of state.sshdPids) t.is(procStart(pid), undefined, `sshd ${pid} stopped`);
    t.false(existsSync(join(dir, 'lab.json')));
    t.false(existsSync(state.postgres.dataDir), 'the database server is gone with its data');
  } finally {
    if (up.exitCode === null) up.kill('SIGTERM');
    await exited(up);
    rmSync(base, { recursive: true, force: true });
  }
});
