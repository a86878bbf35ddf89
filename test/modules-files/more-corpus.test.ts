/** The runnable corpus items for the file modules, run with the CLI on fleet hosts: changes once, then ok, --check ok. */
import test from 'ava';
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';
import { parseRecap, repo, runCli } from '../helpers/cli.js';

let fleet: Fleet;
let server: Server;
let artifacts: string;
const served = new Map<string, Buffer>();
const corpus = (name: string) => join(repo, 'test/corpus', name, 'playbook.yml');
const read = (host: string, p: string) => readFileSync(fleet.path(host, p), 'utf8');
const sh = (host: string, cmd: string) => execFileSync('ssh', ['-i', fleet.keyPath, '-o', `UserKnownHostsFile=${fleet.knownHostsPath}`, '-o', 'BatchMode=yes', '-p', String(fleet.host(host).port), `root@${fleet.host(host).address}`, cmd]).toString();

test.before(async () => {
  fleet = await startFleet({ size: 6 });
  server = createServer((req, res) => {
    const body = served.get((req.url ?? '').split('?')[0]!);
    if (!body) return res.writeHead(404).end();
    res.writeHead(200, { 'Content-Length': body.length }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  artifacts = `http://127.0.0.1:${(server.address() as AddressInfo).port}/sre`;
});
test.after.always(async () => {
  server?.close();
  await fleet?.stop();
});

async function play(item: string, host: string, extra: string[] = []) {
  const r = await runCli([corpus(item), '-i', fleet.inventoryPath, '-l', host, ...extra]);
  return { ...r, recap: parseRecap(r.stdout)[host] ?? {} };
}

/** First run changes the host, the second reports ok, a --check run after it changes nothing. */
async function idempotent(t: import('ava').ExecutionContext, item: string, host: string, extra: string[] = []) {
  const first = await play(item, host, extra);
  t.is(first.code, 0, first.stdout + first.stderr);
  t.true(first.recap.changed! > 0, first.stdout);
  const second = await play(item, host, extra);
  t.is(second.code, 0, second.stdout + second.stderr);
  t.is(second.recap.changed, 0, second.stdout);
  const check = await play(item, host, [...extra, '--check']);
  t.is(check.code, 0, check.stdout + check.stderr);
  t.is(check.recap.changed, 0, check.stdout);
}

test.serial('corpus sip-hosts-rewrite: replace + blockinfile', async (t) => {
  await idempotent(t, 'sip-hosts-rewrite', 'h1');
  t.is(read('h1', '/etc/sre/hosts'), '127.0.0.1 localhost\n192.168.10.11 em1\n192.168.10.12 em2\n');
  t.regex(read('h1', '/etc/kamailio/kamailio-local.cfg'), /# BEGIN ANSIBLE MANAGED BLOCK trusted peers\n#!substdef "!EM1_ADDR!192\.168\.10\.11!g"\n/);
});

test.serial('corpus lca-ini-settings: community.general.ini_file in a loop, handler notified once', async (t) => {
  mkdirSync(fleet.path('h2', '/etc/genesys'), { recursive: true });
  writeFileSync(fleet.path('h2', '/etc/genesys/lca.cfg'), '[log]\nverbose=all\nexpire=3\n');
  const first = await play('lca-ini-settings', 'h2');
  t.is(first.code, 0, first.stdout + first.stderr);
  t.is(first.recap.changed, 2, first.stdout);
  t.is(first.stdout.match(/RUNNING HANDLER \[lca_config : restart lca\]/g)?.length, 1, first.stdout);
  const second = await play('lca-ini-settings', 'h2');
  t.is(second.recap.changed, 0, second.stdout);
  t.notRegex(second.stdout, /RUNNING HANDLER/);
  t.is((await play('lca-ini-settings', 'h2', ['--check'])).recap.changed, 0);
  t.is(read('h2', '/etc/genesys/lca.cfg'), '[log]\nverbose=standard\nall=/var/log/lca/lca\n[lca]\nSNMPAgentEnabled=false\n[security]\ntransport=tls\n');
});

test.serial('corpus sre-release-fetch: get_url with a SHA256SUMS URL, unarchive remote_src with extra_opts', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-sre-'));
  mkdirSync(join(dir, 'sre-4.0.2', 'bin'), { recursive: true });
  writeFileSync(join(dir, 'sre-4.0.2', 'VERSION'), '4.0.2');
  writeFileSync(join(dir, 'sre-4.0.2', 'bin', 'sre'), '#!/bin/sh\n');
  const bundle = execFileSync('tar', ['-cz', '-C', dir, 'sre-4.0.2']);
  served.set('/sre/sre-4.0.2.tar.gz', bundle);
  served.set('/sre/SHA256SUMS', Buffer.from(`${createHash('sha256').update(bundle).digest('hex')}  sre-4.0.2.tar.gz\n`));
  await idempotent(t, 'sre-release-fetch', 'h3', ['-e', `artifact_url=${artifacts}`]);
  t.is(read('h3', '/opt/sre/releases/4.0.2/VERSION'), '4.0.2');
  // A tampered bundle is refused and nothing is unpacked from it.
  served.set('/sre/sre-4.0.3.tar.gz', Buffer.from('not the bundle'));
  const bad = await play('sre-release-fetch', 'h3', ['-e', `artifact_url=${artifacts}`, '-e', 'sre_version=4.0.3']);
  t.is(bad.code, 2, bad.stdout);
  t.regex(bad.stdout, /Unable to find a checksum for file 'sre-4\.0\.3\.tar\.gz'/);
});

test.serial('corpus kamailio-conf-assemble: copy fragments, assemble with validate', async (t) => {
  await idempotent(t, 'kamailio-conf-assemble', 'h4');
  t.regex(read('h4', '/etc/kamailio/routes.cfg'), /^route\[REQINIT\] \{\n[\s\S]*\}\n# ----\nroute\[NATDETECT\] \{\n\tforce_rport\(\);\n\}\n$/);
});

test.serial('corpus log-cleanup-find: find old rotated logs, remove them in a loop', async (t) => {
  sh('h5', 'mkdir -p /var/log/sre/cp && cd /var/log/sre && touch sre.log sre.log.1 cp/kam.log.2.gz && touch -d "30 days ago" sre.log.1 cp/kam.log.2.gz sre.log && touch old.log.3');
  await idempotent(t, 'log-cleanup-find', 'h5');
  t.is(sh('h5', 'cd /var/log/sre && find . -type f | sort'), './old.log.3\n./sre.log\n');
});

test.serial('corpus build-in-tempdir: tempfile, unarchive from files/, command, cleanup', async (t) => {
  const r = await play('build-in-tempdir', 'h6');
  t.is(r.code, 0, r.stdout + r.stderr);
  t.is(r.recap.failures, 0);
  t.is(sh('h6', 'ls -d /tmp/ansible.*.selfcheck 2>/dev/null | wc -l').trim(), '0', 'the scratch directory is gone');
  t.is(r.recap.changed, 3, r.stdout);
  const check = await play('build-in-tempdir', 'h6', ['--check']);
  t.is(check.code, 0, check.stdout);
  t.is(check.recap.skipped, 2, check.stdout);
  t.is(sh('h6', 'ls /tmp | wc -l').trim(), '0', 'nothing left behind');
});
