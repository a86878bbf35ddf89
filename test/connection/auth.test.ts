import test from 'ava';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';
import { ConnectionPool } from '../../src/connection/pool.js';
import { targetFromVars } from '../../src/connection/target.js';
import { UnreachableError } from '../../src/connection/types.js';
import { parseRecap, runCli } from '../helpers/cli.js';

/**
 * How users authenticate: an ssh-agent holding a key that is not on disk, an encrypted key and its
 * passphrase, a password; and become with su and a password. The fleet gives its hosts their own
 * /etc/shadow with these passwords (the controller's is untouched).
 */
const ROOT_PW = 'Root-Pass-43';
const LAB_PW = 'Lab-Pass-42';
let fleet: Fleet;
let agent: ChildProcess | undefined;
const dir = mkdtempSync(join(tmpdir(), 'tsplay-auth-'));
/** A HOME without keys: nothing but what a test gives may authenticate. */
const emptyHome = join(dir, 'home');

test.before(async () => {
  fleet = await startFleet({ size: 2, passwords: { root: ROOT_PW, labuser: LAB_PW } });
  execFileSync('mkdir', ['-p', emptyHome]);
});
test.after.always(async () => {
  if (agent?.pid) process.kill(agent.pid, 'SIGTERM');
  await fleet?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** A new key, authorised on every host; returns its path and fingerprint. */
function newKey(name: string, passphrase = ''): { path: string; fingerprint: string } {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', path]);
  appendFileSync(join(fleet.dir, 'authorized_keys'), readFileSync(`${path}.pub`, 'utf8'));
  const fingerprint = execFileSync('ssh-keygen', ['-lf', `${path}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
  return { path, fingerprint };
}

const hostVars = (name: string) => ({ ansible_host: fleet.host(name).address, ansible_port: 2222, tsplay_known_hosts_file: fleet.knownHostsPath });

async function run(target: ReturnType<typeof targetFromVars>, cmd: string) {
  const pool = new ConnectionPool();
  try {
    return await (await pool.get(target)).exec(cmd);
  } finally {
    await pool.closeAll();
  }
}

test.serial('ssh-agent: a key that exists only in the agent logs in; ForwardAgent hands the agent to commands', async (t) => {
  const key = newKey('agent-only');
  const sock = join(dir, 'agent.sock');
  agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
  for (let i = 0; i < 100 && !existsSync(sock); i++) await new Promise((r) => setTimeout(r, 50));
  execFileSync('ssh-add', ['-q', key.path], { env: { ...process.env, SSH_AUTH_SOCK: sock } });
  rmSync(key.path);
  rmSync(`${key.path}.pub`);
  const env = { SSH_AUTH_SOCK: sock, HOME: emptyHome };
  const tg = targetFromVars('h1', { ...hostVars('h1'), ansible_user: 'root', ansible_ssh_common_args: '-o ForwardAgent=yes' }, env);
  t.is(tg.agentSocket, sock);
  const r = await run(tg, 'id -un; ssh-add -l');
  t.is(r.rc, 0, r.stderr);
  t.true(r.stdout.startsWith('root\n'));
  t.true(r.stdout.includes(key.fingerprint), 'the forwarded agent lists the key');
  t.true(readFileSync(fleet.sshdLog('h1'), 'utf8').includes(`Accepted publickey for root from`) && readFileSync(fleet.sshdLog('h1'), 'utf8').includes(key.fingerprint));
  // without the agent, that key is gone
  const none = targetFromVars('h1', { ...hostVars('h1'), ansible_user: 'root' }, { HOME: emptyHome });
  await t.throwsAsync(run(none, 'true'), { instanceOf: UnreachableError, message: /authentication failed/ });
});

test.serial('an encrypted private key opens with its passphrase (-k on the CLI); without it, one clear line', async (t) => {
  const key = newKey('encrypted', 'pass phrase 7');
  const vars = { ...hostVars('h2'), ansible_user: 'root', ansible_ssh_private_key_file: key.path };
  const missing = await t.throwsAsync(run(targetFromVars('h2', vars, { HOME: emptyHome }), 'true'), { instanceOf: UnreachableError });
  t.regex(missing!.message, /private key \S+encrypted is encrypted: give its passphrase/);
  const r = await run(targetFromVars('h2', { ...vars, ansible_ssh_pass: 'pass phrase 7' }, { HOME: emptyHome }), 'id -un');
  t.is(r.stdout, 'root\n');

  const inv = join(dir, 'enc.ini');
  writeFileSync(inv, `h2 ansible_host=${fleet.host('h2').address} ansible_port=2222 ansible_user=root ansible_ssh_private_key_file=${key.path} tsplay_known_hosts_file=${fleet.knownHostsPath}\n`);
  const pb = join(dir, 'whoami.yml');
  writeFileSync(pb, '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: id -un\n      register: who\n    - debug: { msg: "as {{ who.stdout }}" }\n');
  const cli = await runCli([pb, '-i', inv, '-k'], { input: 'pass phrase 7\n', env: { HOME: emptyHome, SSH_AUTH_SOCK: '' } });
  t.is(cli.code, 0, cli.stdout + cli.stderr);
  t.regex(cli.stdout, /"msg": "as root"/);
  t.false(cli.stdout.includes('pass phrase 7'));
});

test.serial('password authentication (ansible_password) on a host configured for it', async (t) => {
  const before = (readFileSync(fleet.sshdLog('h1'), 'utf8').match(/Accepted password for labuser/g) ?? []).length;
  const tg = targetFromVars('h1', { ...hostVars('h1'), ansible_user: 'labuser', ansible_password: LAB_PW }, { HOME: emptyHome });
  t.is((await run(tg, 'id -un')).stdout, 'labuser\n');
  t.is((readFileSync(fleet.sshdLog('h1'), 'utf8').match(/Accepted password for labuser/g) ?? []).length, before + 1);
  const wrong = targetFromVars('h1', { ...hostVars('h1'), ansible_user: 'labuser', ansible_password: 'nope' }, { HOME: emptyHome });
  await t.throwsAsync(run(wrong, 'true'), { instanceOf: UnreachableError, message: /authentication failed \(tried password\)/ });
});

test.serial('become: become_user postgres (sudo), become_method su with a password (-K), a wrong password is one clear error', async (t) => {
  const inv = join(dir, 'become.ini');
  writeFileSync(
    inv,
    [
      `h1 ansible_host=${fleet.host('h1').address}`,
      `h2 ansible_host=${fleet.host('h2').address} ansible_become_password=wrong-one`,
      '[all:vars]',
      'ansible_port=2222',
      'ansible_user=labuser',
      `ansible_ssh_private_key_file=${fleet.keyPath}`,
      `tsplay_known_hosts_file=${fleet.knownHostsPath}`,
      '',
    ].join('\n'),
  );
  const pb = join(dir, 'become.yml');
  writeFileSync(
    pb,
    [
      '- hosts: all',
      '  gather_facts: false',
      '  tasks:',
      '    - name: as postgres',
      '      command: id -un',
      '      become: true',
      '      become_user: postgres',
      '      register: pg',
      '      when: inventory_hostname == "h1"',
      '    - name: su to root',
      '      command: id -un',
      '      become: true',
      '      become_method: su',
      '      register: su',
      '    - debug: { msg: "{{ pg.stdout }} {{ su.stdout }}" }',
      '',
    ].join('\n'),
  );
  const r = await runCli([pb, '-i', inv, '-K', '-vv'], { input: `${ROOT_PW}\n`, env: { HOME: emptyHome } });
  t.is(r.code, 2, r.stdout + r.stderr);
  t.regex(r.stdout, /"msg": "postgres root"/);
  t.regex(r.stdout, /fatal: \[h2\]: FAILED!.*Incorrect su password: become root was refused/);
  t.like(parseRecap(r.stdout), { h1: { ok: 3, failures: 0 }, h2: { failures: 1 } });
  // the passwords never reach the output (argv included: -vv prints every command)
  t.false(r.stdout.includes(ROOT_PW) || r.stderr.includes(ROOT_PW));
  t.false(r.stdout.includes('wrong-one'));
  t.false(r.stdout.includes('Password:'), 'the su prompt is not part of the output');
});
