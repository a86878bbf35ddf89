import test from 'ava';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';
import { runCli } from '../helpers/cli.js';
import { listRunIds, readJournal } from '../../src/journal/store.js';
import type { JournalStart } from '../../src/journal/records.js';
import { gone, killLeftovers, runRecords, startScheduler, workDir, writeFiles, type RunRecord } from './helpers.js';

// The scheduler as systemd runs it (a foreground process, logs on stdout), running playbooks on a
// one-host fleet; what the runs did is read from the host's files.
let fleet: Fleet;
let dir: string;
let jobsFile: string;

const play = (task: string) => `- hosts: all\n  gather_facts: false\n  tasks:\n    - shell: ${JSON.stringify(task)}\n`;

test.before(async () => {
  fleet = await startFleet({ size: 1 });
  dir = workDir('schedule');
  writeFiles(dir, {
    'tick.yml': play('mkdir -p /opt/sched && echo "tick {{ now }} {{ hostname }}" >> /opt/sched/tick.log'),
    // Longer than its 2 s interval: the next slots come while it still runs.
    'slow.yml': play('mkdir -p /opt/sched && echo "begin {{ now }}" >> /opt/sched/slow.log && sleep 3 && echo "end {{ now }}" >> /opt/sched/slow.log'),
    'fail.yml': '- hosts: all\n  gather_facts: false\n  tasks:\n    - command: /bin/false\n',
    'jobs.yml': [
      'jobs:',
      `  - { name: tick, playbook: tick.yml, inventory: ${fleet.inventoryPath}, every: 2s }`,
      `  - { name: slow, playbook: slow.yml, inventory: ${fleet.inventoryPath}, every: 2s }`,
      `  - { name: failing, playbook: fail.yml, inventory: ${fleet.inventoryPath}, cron: "0 0 1 1 *" }`,
      '',
    ].join('\n'),
  });
  jobsFile = join(dir, 'jobs.yml');
});
test.after.always(async () => {
  killLeftovers();
  await fleet?.stop();
});

const hostLines = (file: string) => {
  const p = fleet.path('h1', file);
  return existsSync(p) ? readFileSync(p, 'utf8').trim().split('\n') : [];
};

/** Walk one job's records: a start only when no run is open, an end only for the open one. */
function assertNoOverlap(t: { true(v: boolean, m?: string): void }, records: RunRecord[]): void {
  let open: RunRecord | undefined;
  for (const r of records) {
    if (r.kind === 'start') {
      t.true(open === undefined, `slot ${r.slot} started while ${open?.slot} was running`);
      open = r;
    } else if (r.kind === 'end') {
      t.true(open?.slot === r.slot, `end of ${r.slot} without its start`);
      open = undefined;
    }
  }
}

test.serial('every 2s runs again and again; a slow job never overlaps; a second scheduler refuses; SIGTERM waits for the run', async (t) => {
  const journalDir = join(dir, 'runs');
  const sched = startScheduler([jobsFile], { env: { TSPLAY_JOURNAL_DIR: journalDir } });
  // While a slow run is going: it runs with TSPLAY_JOB=slow (what the journal records).
  const withSlow = await sched.waitFor(/job=slow slot=\S+ start pid=\d+/);
  const slowPid = Number(/job=slow slot=\S+ start pid=(\d+)/.exec(withSlow)![1]);
  t.true(readFileSync(`/proc/${slowPid}/environ`, 'utf8').split('\0').includes('TSPLAY_JOB=slow'));

  const second = await runCli(['schedule', jobsFile]);
  t.is(second.code, 1);
  t.regex(second.stderr, new RegExp(`^ERROR! .*jobs\\.yml is already scheduled by process ${sched.pid} \\(lock file .*\\.jobs\\.yml\\.lock\\)\\n$`));

  // Wait for what the assertions below need, not for a fixed time (a loaded machine runs slower).
  await sched.waitFor(/(job=tick slot=\S+ end exit=0[\s\S]*){2}/, 180_000);
  await sched.waitFor(/job=slow slot=\S+ skipped/, 180_000);
  // A second slow run that got as far as a task (its journal exists): SIGTERM then catches it mid-run.
  await sched.waitFor(/(job=slow slot=\S+ start[\s\S]*?\[slow\] TASK[\s\S]*){2}/, 180_000);
  const exit = await sched.stop('SIGTERM');
  t.is(exit.code, 0, exit.stdout + exit.stderr);
  t.regex(exit.stdout, /SIGTERM: stopping/);
  const records = runRecords(exit.stdout);

  // tick: at least two runs, each ended with 0, each left its line on the host with `now` and `hostname`.
  // (A run the SIGTERM caught is stopped: only runs that ended before it count.)
  const stopAt = Date.parse(/^(\S+) SIGTERM: stopping/m.exec(exit.stdout)![1]!);
  const tick = records.filter((r) => r.job === 'tick');
  const tickDone = tick.filter((r) => r.kind === 'end' && r.at < stopAt);
  t.true(tickDone.length >= 2, exit.stdout);
  t.true(tickDone.every((r) => r.exit === 0), exit.stdout);
  const ticks = hostLines('/opt/sched/tick.log');
  // Every run that ended with 0 wrote its line; one the SIGTERM stopped may or may not have.
  t.true(ticks.length >= tick.filter((r) => r.kind === 'end' && r.exit === 0).length);
  t.true(ticks.length <= tick.filter((r) => r.kind === 'start').length);
  t.is(new Set(ticks.map((l) => l.split(' ')[1])).size, ticks.length, 'each run has its own now');
  for (const l of ticks) t.regex(l, new RegExp(`^tick \\d{4}-\\d\\d-\\d\\dT\\S+Z ${hostname()}$`));

  // slow: runs never overlap (scheduler records), the slots that came during a run were skipped and said so.
  const slow = records.filter((r) => r.job === 'slow');
  assertNoOverlap(t, slow);
  t.true(slow.filter((r) => r.kind === 'start').length >= 2, exit.stdout);
  t.true(slow.some((r) => r.kind === 'skipped'), exit.stdout);
  t.regex(exit.stdout, /job=slow slot=\S+ skipped: the run of slot=\S+ \(pid \d+\) is still going/);
  // …and on the host: begin/end pairs of the same run, never two begins in a row.
  const lines = hostLines('/opt/sched/slow.log');
  for (let i = 0; i < lines.length; i += 2) {
    t.regex(lines[i]!, /^begin /);
    if (i + 1 < lines.length) t.is(lines[i + 1], lines[i]!.replace(/^begin/, 'end'));
  }
  // The journal: every run recorded under its job; the slow job's runs never overlap in time.
  const journals = listRunIds(journalDir).map((id) => readJournal(journalDir, id));
  const spans = (job: string) =>
    journals
      .filter((recs) => (recs[0] as JournalStart).job === job)
      .map((recs) => [Date.parse((recs[0] as JournalStart).time), Date.parse((recs.at(-1) as { time: string }).time)] as const)
      .sort((a, b) => a[0] - b[0]);
  const slowSpans = spans('slow');
  t.is(slowSpans.length, slow.filter((r) => r.kind === 'start').length);
  for (let i = 1; i < slowSpans.length; i++) t.true(slowSpans[i]![0] >= slowSpans[i - 1]![1], `journal: slow run ${i} started before run ${i - 1} ended`);
  t.true(spans('tick').length >= 2);
  const listed = await runCli(['runs', '--job', 'tick', '--journal-dir', journalDir]);
  t.is(listed.code, 0, listed.stderr);
  t.true(listed.stdout.trim().split('\n').slice(1).filter((l) => / tick$/.test(l)).length >= 2, listed.stdout);

  // SIGTERM: every started run got its end record (the scheduler waited), no child is left.
  for (const s of records.filter((r) => r.kind === 'start')) {
    t.truthy(records.find((r) => r.kind === 'end' && r.job === s.job && r.slot === s.slot), `end of ${s.job} ${s.slot}`);
    t.true(gone(s.pid!));
  }
  t.false(existsSync(join(dir, '.jobs.yml.lock')), 'lock released');
});

test.serial('--run runs one job now and exits with its exit code', async (t) => {
  const before = hostLines('/opt/sched/tick.log').length;
  const env = { TSPLAY_JOURNAL_DIR: join(dir, 'runs') };
  const ok = await runCli(['schedule', jobsFile, '--run', 'tick'], { env });
  t.is(ok.code, 0, ok.stdout + ok.stderr);
  t.regex(ok.stdout, /job=tick start \(--run\) pid=\d+/);
  t.regex(ok.stdout, /\[tick\] changed: \[h1\]/);
  t.is(hostLines('/opt/sched/tick.log').length, before + 1);

  const failed = await runCli(['schedule', jobsFile, '--run', 'failing'], { env });
  t.is(failed.code, 2, failed.stdout + failed.stderr);
  t.regex(failed.stdout, /\[failing\] fatal: \[h1\]: FAILED!/);
  t.regex(failed.stdout, /job=failing end exit=2/);

  const unknown = await runCli(['schedule', jobsFile, '--run', 'nope']);
  t.is(unknown.code, 5);
  t.regex(unknown.stderr, /^ERROR! no job 'nope' in .*jobs\.yml \(jobs: tick, slow, failing\)\n$/);
});

test.serial('after a crash mid-run, a restart does not run the slot again (state written before the run)', async (t) => {
  const d = workDir('schedule-restart');
  const stateDir = join(d, 'state');
  mkdirSync(stateDir);
  writeFiles(d, {
    'yearly.yml': play('mkdir -p /opt/sched && echo "run {{ now }}" >> /opt/sched/yearly.log && sleep 2 && echo done >> /opt/sched/yearly.log'),
    'jobs.yml': `jobs:\n  - { name: yearly, playbook: yearly.yml, inventory: ${fleet.inventoryPath}, cron: "0 0 1 1 *", timezone: UTC }\n`,
  });
  // The job last ran on last year's slot: this year's (1 January) was missed while the scheduler was down.
  const year = new Date().getUTCFullYear();
  const missed = `${year}-01-01T00:00:00.000Z`;
  const statePath = join(stateDir, '.jobs.yml.state.json');
  writeFileSync(statePath, JSON.stringify({ jobs: { yearly: { slot: `${year - 1}-01-01T00:00:00.000Z`, started: `${year - 1}-01-01T00:00:00.000Z` } } }));

  const first = startScheduler([join(d, 'jobs.yml'), '--state-dir', stateDir], { env: { TSPLAY_JOURNAL_DIR: join(d, 'runs') } });
  const out = await first.waitFor(new RegExp(`job=yearly slot=${missed} start \\(catching up [^)]*\\) pid=\\d+`));
  const childPid = Number(new RegExp(`job=yearly slot=${missed} start .*pid=(\\d+)`).exec(out)![1]);
  // The crash: SIGKILL, no cleanup; the run itself goes on (its own process group) and the lock stays.
  t.is(await first.crash('SIGKILL'), 'SIGKILL');
  t.false(gone(childPid), 'the run outlives the crashed scheduler');
  t.true(existsSync(join(stateDir, '.jobs.yml.lock')));
  t.is(JSON.parse(readFileSync(statePath, 'utf8')).jobs.yearly.slot, missed);

  // The restart takes over the dead scheduler's lock, and does not start the slot again.
  const second = startScheduler([join(d, 'jobs.yml'), '--state-dir', stateDir], { env: { TSPLAY_JOURNAL_DIR: join(d, 'runs') } });
  const started = await second.waitFor(/scheduler ready/);
  t.notRegex(started, /job=yearly slot=\S+ start/);
  for (let i = 0; i < 300 && !gone(childPid); i++) await sleep(100);
  const exit = await second.stop('SIGTERM');
  t.is(exit.code, 0, exit.stdout + exit.stderr);
  t.notRegex(exit.stdout, /job=yearly slot=\S+ start/);
  // The run that was going when the scheduler crashed finished its work; no second run.
  t.deepEqual(hostLines('/opt/sched/yearly.log').map((l) => l.split(' ')[0]), ['run', 'done']);
  await first.exited; // its output (the orphaned run's) has ended too
  // …and the journal has that one run, complete (not cut short).
  const runs = listRunIds(join(d, 'runs')).map((id) => readJournal(join(d, 'runs'), id));
  t.deepEqual(runs.map((r) => (r[0] as JournalStart).job), ['yearly']);
  t.is(runs[0]!.at(-1)!.kind, 'journal-end');
  t.false(existsSync(join(stateDir, '.jobs.yml.lock')), 'lock released');
});
