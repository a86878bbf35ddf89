import test from 'ava';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli, workDir } from '../helpers/cli.js';
import { freshFleet } from '../helpers/fleet.js';
import { fixture, journalDir, runIds, taskLog } from './helpers.js';

const fleet = freshFleet({ size: 2 }, { remove: ['/opt/roll'] });

const token = (h: string) => `tok-${h}-R0tat3d vendor-pw-9931-${h}\n`;

test.serial('--resume restores the real set_fact and no_log values and runs the pending handler; a playbook named *password* resumes', async (t) => {
  const dir = journalDir();
  const args = [fixture('rotate-db-password.yml'), '-i', fleet.inventoryPath, '--journal-dir', dir];
  mkdirSync(fleet.path('h2', '/opt/roll'), { recursive: true });
  writeFileSync(fleet.path('h2', '/opt/roll/fail'), '');

  const first = await runCli(args);
  t.is(first.code, 2, first.stdout + first.stderr);
  t.is(taskLog(fleet, 'h1'), 'config\ncheck\ntoken\nrestart\n');
  t.is(taskLog(fleet, 'h2'), 'config\n', 'h2 failed before its handler could run');
  const [firstId] = runIds(dir);
  // the state file beside the journal: owner-only, real values; the journal: masked
  const stateFile = join(dir, firstId!, 'state.json');
  t.is(statSync(stateFile).mode & 0o777, 0o600);
  const state = JSON.parse(readFileSync(stateFile, 'utf8')) as { hosts: Record<string, { vars: Record<string, { stdout?: string } | string>; cursor?: { play: number; taskId?: string; cursor: { section: string; notified: string[] } } }> };
  t.is(state.hosts.h2!.vars.api_token, 'tok-h2-R0tat3d');
  t.is((state.hosts.h2!.vars.vendor as { stdout: string }).stdout, 'vendor-pw-9931-h2');
  // h2's resume point: its cursor at the failed task, with the handler it was notified of
  t.is(state.hosts.h2!.cursor?.cursor.section, 'tasks');
  t.is(state.hosts.h2!.cursor?.cursor.notified.length, 1);
  const journal = readFileSync(join(dir, firstId!, 'journal.jsonl'), 'utf8');
  t.false(journal.includes('tok-h2-R0tat3d'));
  t.false(journal.includes('vendor-pw-9931'));

  rmSync(fleet.path('h2', '/opt/roll/fail'));
  const second = await runCli([...args, '--resume', 'last']);
  t.is(second.code, 0, second.stdout + second.stderr);
  t.notRegex(second.stderr, /modified/);
  t.is(readFileSync(fleet.path('h2', '/opt/roll/token'), 'utf8'), token('h2'), 'the real secrets, not masks');
  t.is(taskLog(fleet, 'h2'), 'config\ncheck\ntoken\nrestart\n', 'the pending handler ran on h2');
  t.is(taskLog(fleet, 'h1'), 'config\ncheck\ntoken\nrestart\n', 'h1 untouched');
  t.false(second.stdout.includes('vendor-pw-9931'), second.stdout);
});

test.serial('register + no_log keeps the real value; no output shows it (console -vvv, --json, --log-file, --events, journal)', async (t) => {
  const dir = journalDir();
  const log = join(dir, 'run.log');
  const events = join(dir, 'events.jsonl');
  const base = [fixture('rotate-db-password.yml'), '-i', fleet.inventoryPath, '--journal-dir', dir];
  const human = await runCli([...base, '-vvv', '--log-file', log, '--events', events]);
  t.is(human.code, 0, human.stdout + human.stderr);
  for (const h of ['h1', 'h2']) t.is(readFileSync(fleet.path(h, '/opt/roll/token'), 'utf8'), token(h));
  t.regex(human.stdout, /"vendor.stdout": "\*+"/, 'debug of the registered value shows a mask');
  const json = await runCli([...base, '--json']);
  t.is(json.code, 0, json.stderr);
  t.true(json.stdout.includes('Show what was registered'));
  const outputs: Record<string, string> = {
    console: human.stdout + human.stderr,
    json: json.stdout + json.stderr,
    logFile: readFileSync(log, 'utf8'),
    events: readFileSync(events, 'utf8'),
  };
  for (const id of runIds(dir).filter((d) => d.match(/^\d{8}-/))) outputs[`journal ${id}`] = readFileSync(join(dir, id, 'journal.jsonl'), 'utf8');
  for (const [name, text] of Object.entries(outputs)) {
    t.false(text.includes('vendor-pw-9931'), `${name} shows the no_log value`);
    t.false(text.includes('R0tat3d'), `${name} shows the token`);
  }
});

test.serial('--resume restores what include_vars gave a host before it stopped', async (t) => {
  const dir = journalDir();
  const work = workDir('resume-incvars');
  writeFileSync(join(work, 'site.yml'), 'sip_port: 5071\n');
  const pb = join(work, 'pb.yml');
  writeFileSync(
    pb,
    `- hosts: h2\n  gather_facts: false\n  tasks:\n    - include_vars: ${join(work, 'site.yml')}\n` +
      `    - command: test ! -e /opt/roll/fail\n    - copy: { dest: /opt/roll/port, content: "{{ sip_port }}" }\n`,
  );
  mkdirSync(fleet.path('h2', '/opt/roll'), { recursive: true });
  writeFileSync(fleet.path('h2', '/opt/roll/fail'), '');
  const first = await runCli([pb, '-i', fleet.inventoryPath, '--journal-dir', dir]);
  t.is(first.code, 2, first.stdout + first.stderr);
  rmSync(fleet.path('h2', '/opt/roll/fail'));
  const resumed = await runCli([pb, '-i', fleet.inventoryPath, '--journal-dir', dir, '--resume', 'last']);
  t.is(resumed.code, 0, resumed.stdout + resumed.stderr);
  t.notRegex(resumed.stdout, /TASK \[include_vars\]/, 'include_vars did not run again');
  t.is(readFileSync(fleet.path('h2', '/opt/roll/port'), 'utf8'), '5071');
});
