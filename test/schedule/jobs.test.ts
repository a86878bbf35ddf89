import test from 'ava';
import { join } from 'node:path';
import { TsplayError } from '../../src/errors.js';
import { loadJobs } from '../../src/schedule/jobs.js';
import { listJobs } from '../../src/schedule/command.js';
import { cronTiming, everyTiming, formatInZone, latestSlotBetween, nextSlots, parseEvery } from '../../src/schedule/timing.js';
import { repo, runCli } from '../helpers/cli.js';
import { workDir, writeFiles } from './helpers.js';

// The jobs file and the timing rules, without hosts: validation errors name the job and line.
const dir = workDir('jobs');
writeFiles(dir, { 'pb.yml': '- hosts: all\n  tasks: []\n', 'inv.ini': 'h1\n' });

function load(name: string, text: string) {
  writeFiles(dir, { [name]: text });
  return loadJobs(join(dir, name));
}
function loadError(text: string): string {
  try {
    load('bad.yml', text);
  } catch (e) {
    if (e instanceof TsplayError) return e.describe();
    throw e;
  }
  throw new Error('no error');
}
const job = (extra: string) => `jobs:\n  - name: nightly\n    playbook: pb.yml\n    inventory: inv.ini\n${extra}`;

test('a valid file: paths resolved beside it, extra vars kept, cron with a zone, every', (t) => {
  const jf = load('ok.yml', job('    cron: "30 2 * * *"\n    timezone: Asia/Kolkata\n    limit: em\n    extra_vars: { keep: 3 }\n') +
    '  - { name: often, playbook: pb.yml, inventory: "h1,h2,", every: 15m, catch_up: false }\n');
  t.deepEqual(jf.jobs.map((j) => j.name), ['nightly', 'often']);
  const [nightly, often] = jf.jobs;
  t.is(nightly!.playbook, join(dir, 'pb.yml'));
  t.deepEqual(nightly!.inventory, [join(dir, 'inv.ini')]);
  t.is(nightly!.limit, 'em');
  t.deepEqual(nightly!.extraVars, { keep: 3 });
  t.is(nightly!.timing.describe, 'cron "30 2 * * *" (Asia/Kolkata)');
  t.deepEqual(often!.inventory, ['h1,h2,']);
  t.false(often!.catchUp);
  t.true(nightly!.catchUp);
});

test('errors name the job and the line of the offending key', (t) => {
  t.is(loadError(job('    cron: "61 * * * *"\n')), `${dir}/bad.yml:5:5: job 'nightly': bad cron expression '61 * * * *': Invalid value for minute: 61`);
  t.regex(loadError(job('    cron: "* * * *"\n')), /bad\.yml:5:5: job 'nightly': bad cron expression '\* \* \* \*': .*five or six/);
  t.regex(loadError(job('    cron: "* * * * *"\n    timezone: Mars/Olympus\n')), /bad\.yml:6:5: job 'nightly': bad time zone 'Mars\/Olympus'/);
  t.regex(loadError(job('    every: 5x\n')), /bad\.yml:5:5: job 'nightly': bad interval '5x'/);
  t.regex(loadError(job('    every: 0s\n')), /bad\.yml:5:5: job 'nightly': bad interval '0s'/);
  t.regex(loadError(job('    evry: 5m\n')), /bad\.yml:5:5: job 'nightly': unknown key 'evry'/);
  t.regex(loadError(job('')), /bad\.yml:2:5: job 'nightly': give exactly one of 'cron' and 'every'/);
  t.regex(loadError(job('    every: 1h\n    cron: "@daily"\n')), /give exactly one of 'cron' and 'every'/);
  t.regex(loadError(job('    every: 1h\n    timezone: UTC\n')), /bad\.yml:6:5: job 'nightly': 'timezone' only applies to 'cron'/);
  t.regex(loadError(job('    every: 1h\n').replace('pb.yml', 'missing.yml')), /bad\.yml:3:5: job 'nightly': playbook not found: missing\.yml/);
  t.regex(loadError(job('    every: 1h\n').replace('inv.ini', 'nope.ini')), /bad\.yml:4:5: job 'nightly': inventory not found: nope\.ini/);
  t.regex(loadError(job('    every: 1h\n    extra_vars: [a]\n')), /bad\.yml:6:5: job 'nightly': 'extra_vars' must be a mapping/);
  t.regex(loadError(job('    every: 1h\n').replace('name: nightly', 'name: "a b"')), /job 'a b': job name 'a b' may only hold/);
  t.regex(loadError(job('    every: 1h\n') + job('    every: 2h\n').replace('jobs:\n', '')), /bad\.yml:6:5: job 'nightly': duplicate job name 'nightly' \(first at line 2\)/);
  t.regex(loadError('jobs:\n  - playbook: pb.yml\n    inventory: inv.ini\n    every: 1h\n'), /bad\.yml:2:5: job #1: missing 'name'/);
  t.regex(loadError('job:\n  - name: x\n'), /bad\.yml:1:1: unknown top-level key 'job' \(expected 'jobs'\)/);
  t.regex(loadError('jobs: 3\n'), /a jobs file is a list of jobs/);
});

test('every: slots sit on the clock, whatever the start time', (t) => {
  t.is(parseEvery('30s'), 30_000);
  t.is(parseEvery('15m'), 900_000);
  t.is(parseEvery('1h'), 3_600_000);
  t.is(parseEvery('1 d'), 86_400_000);
  t.is(parseEvery('30'), undefined);
  const every = everyTiming('15m', 900_000);
  t.deepEqual(
    nextSlots(every, new Date('2025-06-01T10:07:13.500Z'), 3).map((d) => d.toISOString()),
    ['2025-06-01T10:15:00.000Z', '2025-06-01T10:30:00.000Z', '2025-06-01T10:45:00.000Z'],
  );
  // Strictly after: a slot is never its own successor.
  t.is(every.next(new Date('2025-06-01T10:15:00.000Z')).toISOString(), '2025-06-01T10:30:00.000Z');
});

test('cron: 5 or 6 fields, a time zone (DST included), and the slot missed while down', (t) => {
  const brussels = cronTiming('30 2 * * *', 'Europe/Brussels');
  // 30 March 2025: clocks jump 02:00 → 03:00 in Brussels; croner runs the skipped 02:30 at 03:30 local time.
  t.deepEqual(
    nextSlots(brussels, new Date('2025-03-28T12:00:00Z'), 3).map((d) => formatInZone(d, 'Europe/Brussels')),
    ['2025-03-29 02:30:00 +01:00', '2025-03-30 03:30:00 +02:00', '2025-03-31 02:30:00 +02:00'],
  );
  const seconds = cronTiming('*/20 * * * * *');
  t.is(seconds.next(new Date('2025-06-01T10:00:05Z')).toISOString(), '2025-06-01T10:00:20.000Z');
  // Down from 01:00 on the 1st to 12:00 on the 3rd: the slot to catch up is the 3rd's 02:30 UTC.
  const utc = cronTiming('30 2 * * *', 'UTC');
  t.is(latestSlotBetween(utc, new Date('2025-06-01T01:00:00Z'), new Date('2025-06-03T12:00:00Z'))!.toISOString(), '2025-06-03T02:30:00.000Z');
  t.is(latestSlotBetween(utc, new Date('2025-06-03T02:30:00Z'), new Date('2025-06-03T12:00:00Z')), undefined);
});

test('--list: each job with its next three run times in its zone', (t) => {
  const jf = load('list.yml', job('    cron: "30 2 * * *"\n    timezone: Asia/Kolkata\n') + '  - { name: often, playbook: pb.yml, inventory: inv.ini, every: 15m }\n');
  const out = listJobs(jf, new Date('2025-06-01T10:07:00Z')).split('\n');
  t.regex(out[0]!, /^nightly: cron "30 2 \* \* \*" \(Asia\/Kolkata\): \S*pb\.yml -i \S*inv\.ini$/);
  t.deepEqual(out.slice(1, 4), ['  2025-06-02 02:30:00 +05:30', '  2025-06-03 02:30:00 +05:30', '  2025-06-04 02:30:00 +05:30']);
  t.regex(out[4]!, /^often: every 15m: /);
  t.deepEqual(out.slice(5, 8).map((l) => l.slice(13, 21)), ['10:15:00', '10:30:00', '10:45:00'].map((h) => formatInZone(new Date(`2025-06-01T${h}Z`)).slice(11, 19)));
});

test('the CLI: --check of the shipped jobs.yml passes; a broken file is one line and exit 4', async (t) => {
  const ok = await runCli(['schedule', 'playbooks/maintenance/jobs.yml', '--check']);
  t.is(ok.code, 0, ok.stderr);
  t.is(ok.stdout, 'playbooks/maintenance/jobs.yml: 3 job(s) OK\n');
  const list = await runCli(['schedule', 'playbooks/maintenance/jobs.yml', '--list']);
  t.is(list.code, 0, list.stderr);
  t.regex(list.stdout, /^backup: cron "30 2 \* \* \*" \(Europe\/Brussels\): playbooks\/maintenance\/backup\.yml -i playbooks\/maintenance\/example-inventory\.ini -l em\n  \d{4}-\d\d-\d\d 02:30:00 \+0[12]:00\n/);

  writeFiles(dir, { 'broken-pb.yml': '- hosts: all\n  tasks:\n    - no_such_module: x\n' });
  load('cli.yml', job('    every: 1h\n').replace('pb.yml', 'broken-pb.yml'));
  const bad = await runCli(['schedule', join(dir, 'cli.yml'), '--check'], { cwd: repo });
  t.is(bad.code, 4);
  t.regex(bad.stderr, /^ERROR! \S+cli\.yml:2:5: job 'nightly': the playbook does not load: \S+broken-pb\.yml:3:7: .*no_such_module.*\n$/);

  writeFiles(dir, { 'cli2.yml': job('    cron: "0 25 * * *"\n') });
  const cron = await runCli(['schedule', join(dir, 'cli2.yml'), '--list']);
  t.is(cron.code, 4, cron.stderr + cron.stdout);
  t.regex(cron.stderr, /^ERROR! \S+cli2\.yml:5:5: job 'nightly': bad cron expression '0 25 \* \* \*': Invalid value for hour: 25\n$/);
  t.is(cron.stdout, '');
});
