import test from 'ava';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';
import { runCli } from '../helpers/cli.js';
import { fixture, journalDir, journalOf, runIds, type Rec } from './helpers.js';

let fleet: Fleet;
const SECRETS = ['Pw-db-8841-QX', 'nolog-output-ZQ9', 'loop-secret-K7', 'tok-from-fact-P4', 'xvendor-S3CRET', 'inv-token-77QQ'];

test.before(async () => {
  fleet = await startFleet({ size: 2, vars: { site_token: 'inv-token-77QQ' } });
});
test.after.always(async () => {
  await fleet?.stop();
});

test.serial('no_log results and password/secret/token values never reach the console, the journal or --events', async (t) => {
  const dir = journalDir();
  const events = join(dir, 'events.jsonl');
  const r = await runCli([fixture('secrets.yml'), '-i', fleet.inventoryPath, '--journal-dir', dir, '-e', 'vendor_secret=xvendor-S3CRET', '--events', events, '-v']);
  t.is(r.code, 0, r.stdout + r.stderr);
  // the console hides them too (and says where they were)
  t.true(r.stdout.includes('connecting with ********'), r.stdout);
  for (const s of SECRETS) t.false(r.stdout.includes(s) || r.stderr.includes(s), `console shows ${s}`);
  const id = runIds(dir).find((d) => d !== 'events.jsonl')!;
  const text = readFileSync(join(dir, id, 'journal.jsonl'), 'utf8');
  const eventsText = readFileSync(events, 'utf8');
  for (const s of SECRETS) {
    t.false(text.includes(s), `journal contains ${s}`);
    t.false(eventsText.includes(s), `events contain ${s}`);
  }
  // …and still says what happened, masked
  const journal = journalOf(dir, id);
  const result = (name: string) => journal.find((x) => x.kind === 'host-result' && x.host === 'h1' && (x.task as { name: string }).name === name)?.result as Record<string, unknown>;
  t.is(result('Connect with the password').stdout, 'connecting with ********');
  t.regex(String(result('A no_log task').censored), /no_log: true/);
  t.is(result('Use the token and the extra secret').stdout, '******** ******** ********');
  t.is((journal[0]!.options as { extraVars: Record<string, unknown> }).extraVars.vendor_secret, '********');
  // the events file carries the same lines as the journal, as they happened
  t.deepEqual(eventsText.trim().split('\n').map((l) => (JSON.parse(l) as Rec).kind), journal.map((x) => x.kind));
});

test.serial('journal metadata, --events - on stdout, and tsplay runs / runs show', async (t) => {
  const dir = journalDir();
  const r = await runCli([fixture('secrets.yml'), '-i', fleet.inventoryPath, '--journal-dir', dir, '-e', 'vendor_secret=x', '--events', '-'], { env: { TSPLAY_JOB: 'nightly' } });
  t.is(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Rec);
  t.like(lines[0], { kind: 'journal-start', job: 'nightly', playbooks: [fixture('secrets.yml')], inventory: [fleet.inventoryPath] });
  const start = lines[0] as Rec & { files: Record<string, string>; hash: string; user: string; controller: string; tsplay: string };
  t.truthy(start.files[fixture('secrets.yml')]);
  t.truthy(start.files[fleet.inventoryPath]);
  t.regex(start.hash, /^[0-9a-f]{64}$/);
  t.truthy(start.user);
  t.truthy(start.controller);
  t.regex(start.tsplay, /^\d+\.\d+\.\d+/);
  t.true(lines.some((l) => l.kind === 'host-result' && l.host === 'h2'));
  t.like(lines.at(-1), { kind: 'journal-end', outcome: 'ok' });
  t.regex(r.stderr, /PLAY RECAP/, 'the human output went to stderr');

  const failing = await runCli([fixture('rollout.yml'), '-i', fleet.inventoryPath, '--journal-dir', dir, '-e', 'nap=x slow_host=h1']);
  t.is(failing.code, 2);
  const list = await runCli(['runs', '--journal-dir', dir]);
  t.is(list.code, 0, list.stderr);
  const rows = list.stdout.trim().split('\n');
  t.regex(rows[0]!, /^ID +PLAYBOOK +STARTED +DURATION +OUTCOME +JOB$/);
  t.regex(rows[1]!, /^\d{8}-\d{6}-\d{3}-[0-9a-f]{4} +secrets\.yml +\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ +\d+s +ok +nightly$/);
  t.regex(rows[2]!, /rollout\.yml .* failed +-$/);
  const job = await runCli(['runs', '--job', 'nightly', '--journal-dir', dir]);
  t.is(job.stdout.trim().split('\n').length, 2);
  const shown = await runCli(['runs', 'show', 'last', '--journal-dir', dir]);
  t.is(shown.code, 0);
  t.regex(shown.stdout, /outcome: +failed/);
  t.regex(shown.stdout, /PLAY RECAP\nh1 +: ok=2 changed=2 unreachable=0 failed=1/);
  t.regex(shown.stdout, /FAILURES\nh1: task 'Slow step'/);
  t.regex(shown.stdout, /WHERE IT STOPPED\nh1: play 1 'Rolling upgrade', task 'Slow step' \(failed\)/);
  t.regex(shown.stdout, /not started in play 1 'Rolling upgrade': h2/);
  t.regex(shown.stdout, /continue with: tsplay .*rollout\.yml -i .* --resume \S+/);
  const missing = await runCli(['runs', 'show', 'nope', '--journal-dir', dir]);
  t.is(missing.code, 1);
  t.regex(missing.stderr, /^ERROR! no run 'nope' in /);
});
