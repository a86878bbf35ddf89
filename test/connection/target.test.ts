import test from 'ava';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { targetFromVars } from '../../src/connection/target.js';

const env = { USER: 'ops' };

test('defaults: ssh to the name on port 22 as the controller user, 10 s timeout, ~/.ssh/known_hosts checked', (t) => {
  const tg = targetFromVars('sip1', {}, env);
  t.like(tg, {
    name: 'sip1',
    kind: 'ssh',
    address: 'sip1',
    port: 22,
    user: 'ops',
    hostKeyChecking: true,
    knownHostsPath: join(homedir(), '.ssh', 'known_hosts'),
    connectTimeoutMs: 10_000,
  });
});

test('ansible_host, port, user, key, password and timeout are honoured', (t) => {
  const tg = targetFromVars(
    'sip1',
    {
      ansible_host: '127.0.0.5',
      ansible_port: '2222',
      ansible_user: 'root',
      ansible_ssh_private_key_file: '~/keys/lab',
      ansible_ssh_pass: 's3cret',
      ansible_ssh_timeout: 3,
    },
    env,
  );
  t.like(tg, { address: '127.0.0.5', port: 2222, user: 'root', privateKeyPath: join(homedir(), 'keys/lab'), password: 's3cret', connectTimeoutMs: 3000 });
  t.is(targetFromVars('x', { ansible_password: 'pw' }, env).password, 'pw');
  t.is(targetFromVars('x', {}, { ANSIBLE_TIMEOUT: '30' }).connectTimeoutMs, 30_000);
  t.is(targetFromVars('x', {}, { SSH_AUTH_SOCK: '/run/agent.sock' }).agentSocket, '/run/agent.sock');
});

test('localhost is implicitly local; ansible_connection chooses explicitly', (t) => {
  t.is(targetFromVars('localhost', {}, env).kind, 'local');
  t.is(targetFromVars('127.0.0.1', {}, env).kind, 'local');
  t.is(targetFromVars('localhost', { ansible_host: '127.0.0.9' }, env).kind, 'ssh');
  t.is(targetFromVars('sip1', { ansible_connection: 'local' }, env).kind, 'local');
  t.is(targetFromVars('localhost', { ansible_connection: 'ssh' }, env).kind, 'ssh');
  t.throws(() => targetFromVars('sip1', { ansible_connection: 'winrm' }, env), {
    message: "host sip1: ansible_connection 'winrm' is not supported (use ssh or local)",
  });
});

test('host key checking: env ANSIBLE_/TSPLAY_HOST_KEY_CHECKING, host var wins', (t) => {
  t.false(targetFromVars('h', {}, { ANSIBLE_HOST_KEY_CHECKING: 'False' }).hostKeyChecking);
  t.false(targetFromVars('h', {}, { TSPLAY_HOST_KEY_CHECKING: 'false' }).hostKeyChecking);
  t.false(targetFromVars('h', { ansible_host_key_checking: 'no' }, env).hostKeyChecking);
  t.true(targetFromVars('h', { ansible_host_key_checking: true }, { ANSIBLE_HOST_KEY_CHECKING: 'False' }).hostKeyChecking);
  t.throws(() => targetFromVars('h', {}, { ANSIBLE_HOST_KEY_CHECKING: 'maybe' }), {
    message: 'ANSIBLE_HOST_KEY_CHECKING: expected a boolean, got "maybe"',
  });
  // Ansible's boolean words, all of them ('f'/'t' too); an empty setting is no boolean
  t.false(targetFromVars('h', { ansible_host_key_checking: 'F' }, env).hostKeyChecking);
  t.throws(() => targetFromVars('h', {}, { ANSIBLE_HOST_KEY_CHECKING: ' ' }), { message: 'ANSIBLE_HOST_KEY_CHECKING: expected a boolean, got " "' });
});

test('known_hosts file: host var over TSPLAY_KNOWN_HOSTS over the default', (t) => {
  t.is(targetFromVars('h', {}, { TSPLAY_KNOWN_HOSTS: '/etc/tsplay/kh' }).knownHostsPath, '/etc/tsplay/kh');
  t.is(targetFromVars('h', { tsplay_known_hosts_file: '/srv/kh' }, { TSPLAY_KNOWN_HOSTS: '/etc/tsplay/kh' }).knownHostsPath, '/srv/kh');
});

test('bad port and timeout values are one-line errors naming the host', (t) => {
  t.throws(() => targetFromVars('sip1', { ansible_port: 'ssh' }, env), {
    message: 'host sip1: ansible_port must be a port number (1-65535), got "ssh"',
  });
  t.throws(() => targetFromVars('sip1', { ansible_ssh_timeout: 'soon' }, env), {
    message: 'host sip1: ansible_ssh_timeout: expected a number of seconds, got "soon"',
  });
});

test('ssh config: Host/Match sections, Include (glob), first value wins, IdentityFile accumulates; inventory wins', async (t) => {
  const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-sshcfg-'));
  mkdirSync(join(dir, 'conf.d'));
  writeFileSync(join(dir, 'conf.d', '10-sip.conf'), 'Host sip*\n  User sipops\n  IdentityFile ~/.ssh/sip_key\n');
  writeFileSync(join(dir, 'conf.d', 'ignored.txt'), 'Host *\n  User nobody-from-txt\n');
  const file = join(dir, 'config');
  writeFileSync(
    file,
    [
      'Host sip1',
      '  HostName 10.1.0.11',
      '  Port 2200',
      '  ConnectTimeout 7',
      '  ServerAliveInterval 20',
      '  StrictHostKeyChecking accept-new',
      '  ForwardAgent yes',
      `Include ${dir}/conf.d/*.conf`,
      'Match host 10.1.0.11',
      '  HostKeyAlias sip1-key',
      'Host *',
      '  User fallback',
      '  Port 22',
      '  IdentityFile ~/.ssh/other',
      `  UserKnownHostsFile ${dir}/kh`,
      '',
    ].join('\n'),
  );
  const env = { USER: 'ops', SSH_AUTH_SOCK: '/run/a.sock' };
  const tg = targetFromVars('sip1', { ansible_ssh_common_args: `-F ${file}` }, env);
  t.like(tg, {
    address: '10.1.0.11',
    port: 2200,
    user: 'sipops',
    connectTimeoutMs: 7000,
    keepaliveIntervalMs: 20_000,
    hostKeyChecking: false,
    knownHostsPath: join(dir, 'kh'),
    hostKeyAlias: 'sip1-key',
    forwardAgent: true,
  });
  t.deepEqual(tg.identityFiles, [join(homedir(), '.ssh/sip_key'), join(homedir(), '.ssh/other')]);
  // inventory variables, then -o options, win over the file
  const inv = targetFromVars('sip1', { ansible_ssh_common_args: `-F ${file} -o Port=2300 -o User=fromargs -i /k/first`, ansible_user: 'inv', ansible_ssh_timeout: 3 }, env);
  t.like(inv, { port: 2300, user: 'inv', connectTimeoutMs: 3000 });
  t.is(inv.identityFiles?.[0], '/k/first');
  // -J and ProxyJump chains become nested hops; a missing -F file is one clear error
  const j = targetFromVars('db', { ansible_host: '10.9.9.9', ansible_ssh_extra_args: `-F ${file} -J ops@jump-a:2022,sip1` }, env);
  t.like(j.via, { name: 'jump sip1', address: '10.1.0.11', port: 2200 });
  t.like(j.via?.via, { name: 'jump ops@jump-a:2022', address: 'jump-a', port: 2022, user: 'ops' });
  t.throws(() => targetFromVars('x', { ansible_ssh_common_args: '-F /nonexistent/cfg' }, env), { message: /ssh config file \/nonexistent\/cfg \(-F\) does not exist/ });
});
