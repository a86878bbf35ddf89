import test from 'ava';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli.js';
import { freshFleet } from '../helpers/fleet.js';
import { fixture, journalDir, runIds, taskLog } from './helpers.js';

// --resume continues each host from its cursor (recorded in the run's state file at every step).

const fleet = freshFleet({ size: 3 }, { remove: ['/opt/roll'] });

const onceCount = () => fleet.hosts.map((h) => fleet.path(h.name, '/opt/roll/once.log')).filter(existsSync).map((p) => readFileSync(p, 'utf8').split('\n').filter(Boolean).length).reduce((a, b) => a + b, 0);

test.serial('a resumed host continues from its cursor: the failed task, a looped include at its round, its pending handler; run_once is not run again', async (t) => {
  const dir = journalDir();
  const args = [fixture('cursor/resume.yml'), '-i', fleet.inventoryPath, '--journal-dir', dir];
  for (const h of ['h2', 'h3']) mkdirSync(fleet.path(h, '/opt/roll'), { recursive: true });
  writeFileSync(fleet.path('h2', '/opt/roll/fail'), '');
  writeFileSync(fleet.path('h3', '/opt/roll/fail-b'), '');

  const first = await runCli(args);
  t.is(first.code, 2, first.stdout + first.stderr);
  t.is(taskLog(fleet, 'h1'), 'config\nitem-a\nitem-b\nitem-c\nrestart\n');
  t.is(taskLog(fleet, 'h2'), 'config\n');
  t.is(taskLog(fleet, 'h3'), 'config\nitem-a\n');
  t.is(onceCount(), 1);
  // the state file holds each host's cursor: h3 stopped in round 1 (b) of the include
  const state = JSON.parse(readFileSync(join(dir, runIds(dir)[0]!, 'state.json'), 'utf8')) as { hosts: Record<string, { cursor?: { cursor: { stack: { round?: number }[]; notified: string[] } } }> };
  t.is(state.hosts.h3!.cursor?.cursor.stack[1]?.round, 1);
  t.is(state.hosts.h2!.cursor?.cursor.notified.length, 1);

  rmSync(fleet.path('h2', '/opt/roll/fail'));
  rmSync(fleet.path('h3', '/opt/roll/fail-b'));
  const second = await runCli([...args, '--resume', 'last']);
  t.is(second.code, 0, second.stdout + second.stderr);
  t.is(taskLog(fleet, 'h1'), 'config\nitem-a\nitem-b\nitem-c\nrestart\n', 'h1 finished: untouched');
  t.is(taskLog(fleet, 'h2'), 'config\nitem-a\nitem-b\nitem-c\nrestart\n', 'h2: from Check on, with its pending handler');
  t.is(taskLog(fleet, 'h3'), 'config\nitem-a\nitem-b\nitem-c\nrestart\n', 'h3: from round b on');
  t.is(onceCount(), 1, 'the run_once task ran once across the run and its resume');
});
