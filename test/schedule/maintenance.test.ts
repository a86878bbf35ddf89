import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { startFleet, type Fleet } from '../../src/fleet/fleet.js';
import { startPostgres, type PostgresServer } from '../../src/fleet/postgres.js';
import { repo, runCli } from '../helpers/cli.js';
import { workDir, writeFiles } from './helpers.js';

// The maintenance playbooks, run as scheduled jobs (`tsplay schedule jobs.yml --run JOB`): a real
// PostgreSQL on the controller, reached from the EM (h1) over loopback; h2 is a CP.
const run = promisify(execFile);
const maintenance = join(repo, 'playbooks', 'maintenance');
let fleet: Fleet;
let pg: PostgresServer;
let jobsFile: string;
let env: NodeJS.ProcessEnv;

test.before(async () => {
  [fleet, pg] = await Promise.all([startFleet({ size: 2, groups: { em: ['h1'], cp: ['h2'] } }), startPostgres()]);
  await pg.psql('CREATE DATABASE sre');
  await pg.psql(
    `CREATE TABLE alarms (id serial PRIMARY KEY, name text NOT NULL, raised_at timestamptz NOT NULL);
     INSERT INTO alarms (name, raised_at) VALUES
       ('sre.cpu.critical', now() - interval '90 days'),
       ('sre.process.telegraf.stopped', now() - interval '31 days'),
       ('sre.db.connections', now() - interval '29 days'),
       ('sre.open.files', now() - interval '1 hour')`,
    'sre',
  );
  const dir = workDir('maintenance');
  const inv = fleet.inventoryPath;
  writeFiles(dir, {
    'jobs.yml': `jobs:
  - name: backup
    playbook: ${maintenance}/backup.yml
    inventory: ${inv}
    cron: "30 2 * * *"
    extra_vars: { backup_dir: /srv/backups/sre, backup_keep: 2, backup_pg_host: 127.0.0.1, backup_pg_port: ${pg.port}, backup_os_user: root }
  - name: purge-alarms
    playbook: ${maintenance}/purge-alarms.yml
    inventory: ${inv}
    every: 1h
    extra_vars: { alarm_retention_days: 30, alarm_pg_host: 127.0.0.1, alarm_pg_port: ${pg.port}, alarm_os_user: root }
  - name: cleanup
    playbook: ${maintenance}/cleanup.yml
    inventory: ${inv}
    every: 1d
    extra_vars:
      cleanup_days: 30
      cleanup_dirs:
        - { path: /var/log/sre, pattern: "*.log.*", days: 14 }
        - { path: /srv/cdr, pattern: "cdr-*" }
        - { path: /srv/missing }
`,
  });
  jobsFile = join(dir, 'jobs.yml');
  env = { TSPLAY_JOURNAL_DIR: join(dir, 'runs') };
});
test.after.always(async () => {
  await fleet?.stop();
  await pg?.stop();
});

test.serial('backup.yml: pg_dump -Fc of sre on the master EM, the newest N kept, each readable by pg_restore --list', async (t) => {
  const backups = fleet.path('h1', '/srv/backups/sre');
  const seen: string[][] = [];
  for (let i = 0; i < 3; i++) {
    const r = await runCli(['schedule', jobsFile, '--run', 'backup'], { env });
    t.is(r.code, 0, r.stdout + r.stderr);
    t.regex(r.stdout, /\[backup\] .*dumped \/srv\/backups\/sre\/sre-\d{8}T\d{6}Z\.dump/);
    seen.push(readdirSync(backups).sort());
    // A new dump each run (its name from `now`): wait for the clock to name the next one differently.
    await new Promise((ok) => setTimeout(ok, 1000));
  }
  t.deepEqual(seen.map((s) => s.length), [1, 2, 2]);
  const kept = seen[2]!;
  t.true(kept.every((f) => /^sre-\d{8}T\d{6}Z\.dump$/.test(f)), kept.join(' '));
  // The oldest went, the two newest stayed.
  t.false(kept.includes(seen[0]![0]!));
  t.true(kept.includes(seen[1]![1]!));
  for (const f of kept) {
    const { stdout } = await run('pg_restore', ['--list', join(backups, f)]);
    t.regex(stdout, /TABLE public alarms/);
    t.regex(stdout, /TABLE DATA public alarms/);
  }
  // Nothing was dumped on the CP (the play is for the EMs).
  t.false(existsSync(fleet.path('h2', '/srv/backups/sre')));
});

test.serial('purge-alarms.yml: deletes alarms older than the retention, keeps the rest, reports the count', async (t) => {
  const r = await runCli(['schedule', jobsFile, '--run', 'purge-alarms'], { env });
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /purged 2 alarm\(s\) older than 30 days from alarms/);
  const left = (await pg.psql('SELECT name FROM alarms ORDER BY id', 'sre')).trim().split('\n');
  t.deepEqual(left, ['sre.db.connections', 'sre.open.files']);
  const again = await runCli(['schedule', jobsFile, '--run', 'purge-alarms'], { env });
  t.is(again.code, 0);
  t.regex(again.stdout, /purged 0 alarm\(s\)/);
});

test.serial('cleanup.yml: removes files older than each directory\'s age, on every host, and says which', async (t) => {
  const day = 86_400_000;
  const files: Record<string, number> = {
    '/var/log/sre/sre.log.1': 20, // older than 14 days: goes
    '/var/log/sre/sre.log.2': 3, // recent: stays
    '/var/log/sre/sre.log': 60, // does not match *.log.*: stays
    '/srv/cdr/cdr-a-20240101.csv': 40, // older than cleanup_days (30): goes
    '/srv/cdr/2024/cdr-b-20240102.csv': 45, // in a subdirectory: goes
    '/srv/cdr/cdr-c-now.csv': 1,
  };
  for (const host of ['h1', 'h2']) {
    for (const [p, age] of Object.entries(files)) {
      const local = fleet.path(host, p);
      mkdirSync(dirname(local), { recursive: true });
      writeFileSync(local, 'x\n');
      const when = new Date(Date.now() - age * day);
      utimesSync(local, when, when);
    }
  }
  const r = await runCli(['schedule', jobsFile, '--run', 'cleanup'], { env });
  t.is(r.code, 0, r.stdout + r.stderr);
  for (const host of ['h1', 'h2']) {
    for (const [p, age] of Object.entries(files)) {
      const goes = p === '/var/log/sre/sre.log.1' || (p.startsWith('/srv/cdr') && age > 30);
      t.is(existsSync(fleet.path(host, p)), !goes, `${host}:${p}`);
    }
    t.true(existsSync(fleet.path(host, '/srv/cdr/2024')), 'directories stay');
  }
  t.regex(r.stdout, /changed: \[h1\] => \(item=\/var\/log\/sre\)/);
  t.regex(r.stdout, /ok: \[h1\] => \(item=\/srv\/missing\)/);
  t.regex(r.stdout, /"\/srv\/cdr\/cdr-a-20240101\.csv"/);
  t.regex(r.stdout, /"\/srv\/cdr\/2024\/cdr-b-20240102\.csv"/);
  t.regex(r.stdout, /"\/var\/log\/sre\/sre\.log\.1"/);

  const again = await runCli(['schedule', jobsFile, '--run', 'cleanup'], { env });
  t.is(again.code, 0);
  t.notRegex(again.stdout, /changed: \[h\d\]/);
});
