import test from 'ava';
import { createHmac } from 'node:crypto';
import { checkHostKey, entryMatches, keyTypeOf, knownHostName, knownKeyTypes, parseKnownHosts } from '../../src/connection/known-hosts.js';

/** A public key blob of a given type: length-prefixed type name, then some key bytes. */
function blob(type: string, body: string): Buffer {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, Buffer.from(body)]);
}
const b64 = (b: Buffer) => b.toString('base64');
const edA = blob('ssh-ed25519', 'key-a');
const edB = blob('ssh-ed25519', 'key-b');
const rsa = blob('ssh-rsa', 'key-r');

function hashed(name: string, salt = Buffer.from('0123456789abcdefghij')): string {
  return `|1|${salt.toString('base64')}|${createHmac('sha1', salt).update(name).digest('base64')}`;
}

test('host names follow OpenSSH: bare on port 22, [host]:port otherwise', (t) => {
  t.is(knownHostName('10.0.0.1', 22), '10.0.0.1');
  t.is(knownHostName('127.0.0.5', 2222), '[127.0.0.5]:2222');
});

test('parse skips comments, blanks, malformed and @cert-authority lines; keeps @revoked', (t) => {
  const text = [
    '# comment',
    '',
    `sip1,10.0.0.1 ssh-ed25519 ${b64(edA)} comment here`,
    `@cert-authority *.lab ssh-ed25519 ${b64(edB)}`,
    `@revoked * ssh-rsa ${b64(rsa)}`,
    'garbage-only-one-field',
    'host ssh-ed25519 not*base64!',
  ].join('\n');
  const entries = parseKnownHosts(text);
  t.deepEqual(
    entries.map((e) => [e.hosts, e.type, e.revoked, e.line]),
    [
      ['sip1,10.0.0.1', 'ssh-ed25519', false, 3],
      ['*', 'ssh-rsa', true, 5],
    ],
  );
  t.true(entries[0]!.key.equals(edA));
});

test('host patterns: lists, [host]:port, wildcards, negation, hashed names', (t) => {
  t.true(entryMatches('sip1,10.0.0.1', '10.0.0.1'));
  t.false(entryMatches('sip1,10.0.0.1', '10.0.0.10'));
  t.true(entryMatches('[127.0.0.5]:2222', '[127.0.0.5]:2222'));
  t.false(entryMatches('127.0.0.5', '[127.0.0.5]:2222'));
  t.true(entryMatches('10.0.0.*', '10.0.0.42'));
  t.true(entryMatches('sip?.lab', 'SIP1.lab'));
  t.false(entryMatches('10.0.0.*,!10.0.0.13', '10.0.0.13'));
  t.true(entryMatches(hashed('[127.0.0.5]:2222'), '[127.0.0.5]:2222'));
  t.false(entryMatches(hashed('[127.0.0.5]:2222'), '[127.0.0.6]:2222'));
});

test('verdicts: known, unknown, changed (same type, other key), revoked', (t) => {
  const entries = parseKnownHosts(
    [`[h]:2222 ssh-ed25519 ${b64(edA)}`, `${hashed('other')} ssh-ed25519 ${b64(edB)}`, `@revoked * ssh-rsa ${b64(rsa)}`].join('\n'),
  );
  t.deepEqual(checkHostKey(entries, 'h', 2222, edA), { status: 'known' });
  t.deepEqual(checkHostKey(entries, 'h', 2222, edB), { status: 'changed', line: 1 });
  t.deepEqual(checkHostKey(entries, 'other', 22, edB), { status: 'known' });
  t.deepEqual(checkHostKey(entries, 'nobody', 22, edA), { status: 'unknown' });
  t.deepEqual(checkHostKey(entries, 'h', 2222, rsa), { status: 'revoked', line: 3 });
  // a host known only by another key type: its ecdsa key is unknown, not changed
  t.deepEqual(checkHostKey(entries, 'h', 2222, blob('ecdsa-sha2-nistp256', 'x')), { status: 'unknown' });
});

test('known key types of a host, for ordering the handshake', (t) => {
  const entries = parseKnownHosts([`h ssh-rsa ${b64(rsa)}`, `h,g ssh-ed25519 ${b64(edA)}`, `g ssh-ed25519 ${b64(edB)}`].join('\n'));
  t.deepEqual(knownKeyTypes(entries, 'h', 22), ['ssh-rsa', 'ssh-ed25519']);
  t.is(keyTypeOf(rsa), 'ssh-rsa');
});
