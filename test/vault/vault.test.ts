import test from 'ava';
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repo, runCli } from '../helpers/cli.js';
import { decryptPayload, encryptToEnvelope, parseEnvelope } from '../../src/vault/format.js';
import { decryptVault } from '../../src/vault/keyring.js';

const F = join(repo, 'test/vault/fixtures');
const PW = join(F, 'vault-pass.txt');
const DEV = join(F, 'dev-pass.txt');
const SCRIPT = join(F, 'vault-pass-script.sh');
const site = join(F, 'site.yml');
const inventory = join(F, 'inventory/hosts');
/** Every value the fixtures hold encrypted: none may ever be printed or journaled. */
const VAULT_VALUES = ['Db-Pass-1101-Whole', 'sre_admin', 'Api-Token-Inline-77', 'Host-Secret-Dev-12', 'Lic-Key-VarsFile-55'];

const tmp = () => mkdtempSync(join(tmpdir(), 'tsplay-vault-test-'));
const secret = (id: string, password: string) => ({ id, password: Buffer.from(password), source: 'test' });

test('ansible-vault files decrypt: 1.1, 1.2 with its vault id, inline values', (t) => {
  const whole = readFileSync(join(F, 'inventory/group_vars/all/vault.yml'), 'utf8');
  t.is(decryptVault(whole, 'vault.yml', [secret('default', 'tsplay-vault-pw-1')]).toString(), 'db_password: Db-Pass-1101-Whole\ndb_user: sre_admin\n');
  const dev = readFileSync(join(F, 'inventory/host_vars/target.yml'), 'utf8');
  t.is(parseEnvelope(dev).label, 'dev');
  // the matching id is tried first, the others after it, as ansible-vault does
  t.is(decryptVault(dev, 'target.yml', [secret('default', 'nope'), secret('dev', 'dev-id-secret-2')]).toString(), 'host_secret: Host-Secret-Dev-12\n');
  t.throws(() => decryptVault(dev, 'target.yml', [secret('dev', 'wrong')]), { message: /Decryption failed \(encrypted for vault id 'dev'\)/ });
  t.throws(() => decryptVault(whole, 'vault.yml', []), { message: /no vault password was given/ });
});

test('what tsplay encrypts has the format and algorithm of the fixtures (checked with openssl)', (t) => {
  const text = encryptToEnvelope('secret text\n', 'pw-123', 'prod');
  t.regex(text, /^\$ANSIBLE_VAULT;1\.2;AES256;prod\n([0-9a-f]{80}\n)*[0-9a-f]{1,80}\n$/);
  t.regex(encryptToEnvelope('x', 'pw'), /^\$ANSIBLE_VAULT;1\.1;AES256\n/);
  // an independent implementation: openssl's PBKDF2, HMAC-SHA256 and AES-256-CTR
  const [saltHex, macHex, dataHex] = Buffer.from(parseEnvelope(text).payload, 'hex').toString().split('\n') as [string, string, string];
  const keyHex = execFileSync('openssl', ['kdf', '-keylen', '80', '-kdfopt', 'digest:SHA256', '-kdfopt', 'pass:pw-123', '-kdfopt', `hexsalt:${saltHex}`, '-kdfopt', 'iter:10000', 'PBKDF2'], { encoding: 'utf8' }).trim().replace(/:/g, '').toLowerCase();
  const dir = tmp();
  writeFileSync(join(dir, 'data'), Buffer.from(dataHex, 'hex'));
  const mac = execFileSync('openssl', ['dgst', '-sha256', '-mac', 'HMAC', '-macopt', `hexkey:${keyHex.slice(64, 128)}`, '-r', join(dir, 'data')], { encoding: 'utf8' }).split(' ')[0];
  t.is(mac, macHex);
  const plain = execFileSync('openssl', ['enc', '-d', '-aes-256-ctr', '-nopad', '-K', keyHex.slice(0, 64), '-iv', keyHex.slice(128, 160), '-in', join(dir, 'data')]);
  t.is(plain.toString(), 'secret text\n\x04\x04\x04\x04'); // PKCS#7 padding, as Ansible pads
  // and the fixtures' own envelopes go through the same code
  t.is(decryptPayload(parseEnvelope(readFileSync(join(F, 'plain.vault'), 'utf8')), 'tsplay-vault-pw-1').toString(), 'just some text\nsecond line\n');
});

/** Run the site playbook; return the run and what it wrote. */
async function runSite(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}) {
  const dir = tmp();
  const journal = join(dir, 'journal');
  const events = join(dir, 'events.jsonl');
  const r = await runCli([site, '-i', inventory, '-e', `out_dir=${dir}`, '--journal-dir', journal, '--events', events, '-vv', ...args], opts);
  const written = existsSync(join(dir, 'secrets.txt')) ? readFileSync(join(dir, 'secrets.txt'), 'utf8') : undefined;
  const journalText = existsSync(journal)
    ? readdirSync(journal).map((id) => readFileSync(join(journal, id, 'journal.jsonl'), 'utf8')).join('')
    : '';
  const eventsText = existsSync(events) ? readFileSync(events, 'utf8') : '';
  return { r, written, journalText, eventsText };
}

const EXPECTED = 'Db-Pass-1101-Whole sre_admin Api-Token-Inline-77 Host-Secret-Dev-12 Lic-Key-VarsFile-55 visible-value\n';
const WAYS: [string, string[], { env?: NodeJS.ProcessEnv; input?: string }][] = [
  ['--vault-password-file FILE', ['--vault-password-file', PW], {}],
  ['--vault-password-file SCRIPT (executable)', ['--vault-password-file', SCRIPT], {}],
  ['--vault-id default@FILE', ['--vault-id', `default@${PW}`], {}],
  ['--vault-id FILE', ['--vault-id', PW], {}],
  ['ANSIBLE_VAULT_PASSWORD_FILE', [], { env: { ANSIBLE_VAULT_PASSWORD_FILE: PW } }],
  ['--ask-vault-pass (stdin)', ['--ask-vault-pass'], { input: 'tsplay-vault-pw-1\n' }],
  ['--vault-id dev@prompt (stdin)', ['--vault-id', `dev@prompt`, '--vault-password-file', PW], { input: 'dev-id-secret-2\n' }],
];

for (const [how, args, opts] of WAYS) {
  test.serial(`vault data decrypts with ${how}; no vault value in any output or the journal`, async (t) => {
    const devArgs = how.includes('dev@') ? [] : ['--vault-id', `dev@${DEV}`];
    const { r, written, journalText, eventsText } = await runSite([...args, ...devArgs], opts);
    t.is(r.code, 0, r.stdout + r.stderr);
    t.is(written, EXPECTED);
    t.regex(r.stdout, /"db_password": "\*\*\*\*\*\*\*\*"/);
    t.regex(r.stdout, /"msg": "token=\*\*\*\*\*\*\*\*"/);
    for (const v of VAULT_VALUES) {
      t.false(r.stdout.includes(v), `stdout shows ${v}`);
      t.false(r.stderr.includes(v), `stderr shows ${v}`);
      t.false(journalText.includes(v), `journal holds ${v}`);
      t.false(eventsText.includes(v), `events hold ${v}`);
    }
    t.true(journalText.length > 0 && eventsText.length > 0);
  });
}

test('a wrong vault password is one line naming the file, before any host is contacted', async (t) => {
  const dir = tmp();
  const bad = join(dir, 'bad-pass');
  writeFileSync(bad, 'not-the-password\n');
  const { r, written } = await runSite(['--vault-password-file', bad, '--vault-id', `dev@${DEV}`]);
  t.is(r.code, 1);
  t.is(written, undefined);
  t.regex(r.stderr, /^ERROR! \S+\/vars\/secrets\.yml: Decryption failed: no vault password given \(ids: dev, default\) decrypts it\n$/);
  t.notRegex(r.stdout, /TASK/);
});

test('a missing vault password is one line naming the file', async (t) => {
  const { r, written } = await runSite([]);
  t.is(r.code, 1);
  t.is(written, undefined);
  t.regex(r.stderr, /^ERROR! \S+\/vars\/secrets\.yml: found vault-encrypted data but no vault password was given \(use --vault-password-file, --vault-id or --ask-vault-pass\)\n$/);
});

test('tsplay vault: encrypt, view, decrypt, rekey, encrypt_string, edit', async (t) => {
  const dir = tmp();
  const file = join(dir, 'secrets.yml');
  writeFileSync(file, 'k: v-plain-1\n', { mode: 0o640 });
  let r = await runCli(['vault', 'encrypt', '--vault-password-file', PW, file]);
  t.is(r.code, 0, r.stderr);
  t.is(r.stderr, 'Encryption successful\n');
  t.regex(readFileSync(file, 'utf8'), /^\$ANSIBLE_VAULT;1\.1;AES256\n/);
  t.is(statSync(file).mode & 0o777, 0o640);
  t.is(decryptVault(readFileSync(file, 'utf8'), file, [secret('default', 'tsplay-vault-pw-1')]).toString(), 'k: v-plain-1\n');
  r = await runCli(['vault', 'encrypt', '--vault-password-file', PW, file]);
  t.is(r.code, 1);
  t.regex(r.stderr, /input is already encrypted/);

  r = await runCli(['vault', 'view', '--vault-password-file', PW, join(F, 'plain.vault')]);
  t.is(r.stdout, 'just some text\nsecond line\n');

  r = await runCli(['vault', 'rekey', '--vault-password-file', PW, '--new-vault-id', `dev@${DEV}`, file]);
  t.is(r.code, 0, r.stderr);
  t.regex(readFileSync(file, 'utf8'), /^\$ANSIBLE_VAULT;1\.2;AES256;dev\n/);
  r = await runCli(['vault', 'view', '--vault-password-file', PW, file]);
  t.is(r.code, 1, 'the old password no longer opens it');
  r = await runCli(['vault', 'decrypt', '--vault-id', `dev@${DEV}`, file]);
  t.is(r.code, 0, r.stderr);
  t.is(readFileSync(file, 'utf8'), 'k: v-plain-1\n');

  r = await runCli(['vault', 'encrypt_string', '--vault-password-file', PW, '--name', 'db_pass', 'S-tring-9']);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /^db_pass: !vault \|\n {10}\$ANSIBLE_VAULT;1\.1;AES256\n( {10}[0-9a-f]{1,80}\n)+$/);
  // and tsplay reads it back as a variable
  const vars = join(dir, 'vars.yml');
  writeFileSync(vars, r.stdout);
  const pb = join(dir, 'pb.yml');
  writeFileSync(pb, `- hosts: localhost\n  gather_facts: false\n  vars_files: [${vars}]\n  tasks:\n    - copy: { dest: ${dir}/out, content: "{{ db_pass }}" }\n`);
  r = await runCli([pb, '-i', 'localhost,', '--vault-password-file', PW]);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.is(readFileSync(join(dir, 'out'), 'utf8'), 'S-tring-9');

  r = await runCli(['vault', 'encrypt_string', '--vault-password-file', PW, '--stdin-name', 'from_stdin'], { input: 'piped-value' });
  t.regex(r.stdout, /^from_stdin: !vault \|\n/);

  // edit: the editor changes the decrypted text; the file is encrypted again with the same id
  const editor = join(dir, 'editor.sh');
  writeFileSync(editor, '#!/bin/sh\nsed -i s/v-plain-1/v-edited-2/ "$1"\n');
  chmodSync(editor, 0o755);
  await runCli(['vault', 'encrypt', '--vault-id', `dev@${DEV}`, file]);
  r = await runCli(['vault', 'edit', '--vault-id', `dev@${DEV}`, file], { env: { EDITOR: editor } });
  t.is(r.code, 0, r.stderr);
  t.regex(readFileSync(file, 'utf8'), /^\$ANSIBLE_VAULT;1\.2;AES256;dev\n/);
  t.is(decryptVault(readFileSync(file, 'utf8'), file, [secret('dev', 'dev-id-secret-2')]).toString(), 'k: v-edited-2\n');
});

test('a wrong password for one vault id names that host_vars file', async (t) => {
  const dir = tmp();
  const bad = join(dir, 'bad-dev');
  writeFileSync(bad, 'wrong-dev\n');
  const pb = join(dir, 'pb.yml');
  writeFileSync(pb, `- hosts: target\n  gather_facts: false\n  tasks:\n    - copy: { dest: ${dir}/out, content: "x" }\n`);
  const r = await runCli([pb, '-i', inventory, '--vault-password-file', PW, '--vault-id', `dev@${bad}`]);
  t.is(r.code, 1);
  t.regex(r.stderr, /^ERROR! \S+\/host_vars\/target\.yml: Decryption failed \(encrypted for vault id 'dev'\): no vault password given \(ids: dev, default\) decrypts it\n$/);
  t.false(existsSync(join(dir, 'out')));
});

test('tsplay inventory reads vault files with the same options', async (t) => {
  const r = await runCli(['inventory', '-i', inventory, '--host', 'target', '--vault-password-file', PW, '--vault-id', `dev@${DEV}`]);
  t.is(r.code, 0, r.stderr);
  t.like(JSON.parse(r.stdout), { db_user: 'sre_admin', plain_setting: 'visible-value', host_secret: 'Host-Secret-Dev-12' });
  const missing = await runCli(['inventory', '-i', inventory, '--list']);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /no vault password was given/);
});

test('a vault value in a top-level error line is masked too', async (t) => {
  const dir = tmp();
  const inline = readFileSync(join(F, 'inventory/group_vars/all/inline.yml'), 'utf8').split('\n').slice(1).join('\n').replace(/^api_token:/, 'n:');
  writeFileSync(join(dir, 'pb.yml'), `- hosts: target\n  gather_facts: false\n  serial: "{{ n }}"\n  vars:\n${inline.replace(/^/gm, '    ').trimEnd()}\n  tasks:\n    - debug: msg=hi\n`);
  const r = await runCli([join(dir, 'pb.yml'), '-i', inventory, '--vault-password-file', PW, '--vault-id', `dev@${DEV}`, '--journal-dir', join(dir, 'j')]);
  t.not(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stderr, /^ERROR! .*'serial' must be a positive number.*\*\*\*\*\*\*\*\*/m, r.stderr);
  t.false((r.stdout + r.stderr).includes('Api-Token-Inline-77'));
});
