import test from 'ava';
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeModule } from '../../src/modules/make.js';
import { expectModule } from '../../src/modules/expect.js';
import { pipModule } from '../../src/modules/pip.js';
import { startPackagesLab, type PackagesLab } from './helper.js';

// make, expect and pip on a test host, with the real tools; pip works offline from a wheel directory.
let lab: PackagesLab;
let wheels: string;

/** A minimal pure-Python wheel, written with Python's zipfile (no network, no build backend). */
function buildWheel(dir: string, name: string, version: string): void {
  const py = `
import zipfile, sys
d, n, v = sys.argv[1:4]
di = f"{n}-{v}.dist-info"
files = {f"{n}/__init__.py": f"VERSION = '{v}'\\n", f"{di}/METADATA": f"Metadata-Version: 2.1\\nName: {n}\\nVersion: {v}\\n",
         f"{di}/WHEEL": "Wheel-Version: 1.0\\nGenerator: tsplay-test\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n"}
with zipfile.ZipFile(f"{d}/{n}-{v}-py3-none-any.whl", "w") as z:
    for k, c in files.items(): z.writestr(k, c)
    z.writestr(f"{di}/RECORD", "".join(f"{k},,\\n" for k in files) + f"{di}/RECORD,,\\n")
`;
  execFileSync('/usr/bin/python3', ['-c', py, dir, name, version]);
}

test.before(async () => {
  lab = await startPackagesLab(1, { aptState: false });
  wheels = join(lab.fleet.dir, 'wheels');
  mkdirSync(wheels);
  buildWheel(wheels, 'tsplay_hello', '1.0');
  buildWheel(wheels, 'tsplay_hello', '1.1');
});
test.after.always(async () => {
  await lab?.stop();
});

test.serial('make builds an out-of-date target once; make -q decides; params reach make', async (t) => {
  await lab.sh('h1', `mkdir -p /opt/build && printf 'out.txt: in.txt\\n\\tcp in.txt out.txt && echo "$(MSG)" >> out.txt\\n' > /opt/build/Makefile && echo hi > /opt/build/in.txt`);
  const args = { chdir: '/opt/build', target: 'out.txt', params: { MSG: 'built' } };
  t.like(await lab.run(makeModule, 'h1', args, { check: true }), { changed: true, command: 'make out.txt MSG=built' });
  t.is(await lab.read('h1', '/opt/build/out.txt'), '');
  t.like(await lab.run(makeModule, 'h1', args), { changed: true, failed: false, rc: 0 });
  t.is(await lab.read('h1', '/opt/build/out.txt'), 'hi\nbuilt\n');
  t.like(await lab.run(makeModule, 'h1', args), { changed: false });
  const bad = await lab.run(makeModule, 'h1', { chdir: '/opt/build', target: 'nothing-makes-this' });
  t.like(bad, { failed: true });
});

test.serial('expect answers prompts (a list answers successive ones); creates makes a second run ok', async (t) => {
  await lab.sh('h1', `printf '#!/bin/sh\\nprintf "Name? "; read n; printf "Pass? "; read p; printf "Again? "; read q; echo "$n:$p:$q" > /opt/answers\\n' > /opt/ask.sh && chmod +x /opt/ask.sh`);
  const args = { command: '/opt/ask.sh', responses: { 'Name\\?': "o'neil $(x)", '(Pass|Again)\\?': ['s3cret', 'again'] }, creates: '/opt/answers' };
  t.like(await lab.run(expectModule, 'h1', args, { check: true }), { skipped: true });
  const r = await lab.run(expectModule, 'h1', args);
  t.like(r, { changed: true, failed: false, rc: 0 });
  t.is(await lab.read('h1', '/opt/answers'), "o'neil $(x):s3cret:again\n");
  t.like(await lab.run(expectModule, 'h1', args), { changed: false, stdout: 'skipped, since /opt/answers exists' });
  const short = await lab.run(expectModule, 'h1', { command: '/opt/ask.sh', responses: { 'Name\\?': 'x', '(Pass|Again)\\?': ['only-one'] } });
  t.like(short, { failed: true });
  t.regex(String(short.msg), /No remaining responses for '\(Pass\|Again\)\\\?'/);
  const slow = await lab.run(expectModule, 'h1', { command: 'sleep 5', responses: { x: 'y' }, timeout: 1 });
  t.like(slow, { failed: true, msg: 'command exceeded timeout' });
});

test.serial('pip creates the virtualenv and installs from a local wheel dir; pinned versions; absent', async (t) => {
  t.timeout(600_000, 'creating a virtualenv and running pip a dozen times is slow on a loaded machine');
  const base = { virtualenv: '/opt/venv', virtualenv_command: '/usr/bin/python3 -m venv', extra_args: `--no-index --find-links ${wheels}` };
  const pkg = { ...base, name: 'tsplay-hello', version: '1.0' };
  t.like(await lab.run(pipModule, 'h1', pkg, { check: true }), { changed: true });
  t.is((await lab.sh('h1', 'test -e /opt/venv')).rc, 1);
  t.like(await lab.run(pipModule, 'h1', pkg), { changed: true, failed: false });
  const version = async () => (await lab.sh('h1', `/opt/venv/bin/python -c 'import tsplay_hello; print(tsplay_hello.VERSION)'`)).stdout.trim();
  t.is(await version(), '1.0');
  t.like(await lab.run(pipModule, 'h1', pkg), { changed: false });
  t.like(await lab.run(pipModule, 'h1', { ...base, name: 'tsplay-hello' }), { changed: false }, 'present: any version will do');
  t.like(await lab.run(pipModule, 'h1', { ...base, name: 'tsplay-hello', state: 'latest' }), { changed: true });
  t.is(await version(), '1.1');
  t.like(await lab.run(pipModule, 'h1', { ...base, name: 'tsplay-hello', state: 'latest' }), { changed: false });
  t.like(await lab.run(pipModule, 'h1', { ...base, name: 'tsplay-nowhere' }), { failed: true });
  t.like(await lab.run(pipModule, 'h1', { ...base, name: 'tsplay_hello', state: 'absent' }), { changed: true });
  t.like(await lab.run(pipModule, 'h1', { ...base, name: 'tsplay_hello', state: 'absent' }), { changed: false });
  await lab.sh('h1', 'echo "tsplay-hello==1.0" > /opt/requirements.txt');
  t.like(await lab.run(pipModule, 'h1', { ...base, requirements: '/opt/requirements.txt' }), { changed: true });
  t.is(await version(), '1.0');
  t.like(await lab.run(pipModule, 'h1', { ...base, requirements: '/opt/requirements.txt' }), { changed: false });
});
