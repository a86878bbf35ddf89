import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Predicted, predictedFile } from '../../src/facts/predicted.js';
import type { FileStat } from '../../src/facts/file.js';
import { repo, runCli } from '../helpers/cli.js';
import { freshFleet } from '../helpers/fleet.js';

const absent: FileStat = { exists: false, isFile: false, isDir: false, isLink: false, umask: '0022' };

test('the predicted overlay: a directory makes its parents, a removal hides what is below it, the latest wins', (t) => {
  const p = new Predicted();
  p.record([{ kind: 'dir', path: '/opt/a/b/', mode: '0750' }]);
  t.like(p.stat('/opt/a/b', absent), { exists: true, isDir: true, mode: '0750' });
  t.like(p.stat('/opt/a', absent), { exists: true, isDir: true, mode: '0755' });
  t.is(p.stat('/opt/a/b/c', absent), absent, 'below a new directory: nothing yet');
  p.record([predictedFile('/opt/a/b/f', 'x\n')]);
  t.like(p.stat('/opt/a/b/f', absent), { exists: true, isFile: true, size: 2, mode: '0644', sha1: '6fcf9dfbd479ed82697fee719b9f8c610a11ff2a' });
  t.is(p.content('/opt/a/b/f')?.toString(), 'x\n');
  p.record([{ kind: 'absent', path: '/opt/a' }]);
  t.like(p.stat('/opt/a/b/f', { ...absent, exists: true, isFile: true }), { exists: false });
  p.record([{ kind: 'dir', path: '/opt/a' }]);
  t.like(p.stat('/opt/a', absent), { exists: true, isDir: true });
  t.like(p.stat('/opt/a/b', absent), { exists: false }, 'recreated empty');
});

const fleet = freshFleet({ size: 1 }, { remove: ['/opt/look'] });

type Doc = { plays: { tasks: { task: { name: string }; hosts: Record<string, { changed?: boolean; failed?: boolean; msg?: string }> }[] }[] };
const statuses = (doc: Doc) =>
  doc.plays[0]!.tasks.map((x) => {
    const r = x.hosts.h1!;
    return `${x.task.name}: ${r.failed ? `failed (${r.msg})` : r.changed ? 'changed' : 'ok'}`;
  });

test.serial('--check predicts through a directory an earlier task would make, changes nothing, and says what the real run does', async (t) => {
  const playbook = join(repo, 'test/executor/fixtures/lookahead.yml');
  const expected = ['Make the app dir: changed', 'Copy a config into it: changed', 'The same config again: ok', 'Add a line to it: changed', 'The dir again: ok'];

  const check = await runCli([playbook, '-i', fleet.inventoryPath, '--check', '--json']);
  t.is(check.code, 0, check.stdout + check.stderr);
  t.deepEqual(statuses(JSON.parse(check.stdout) as Doc), expected);
  t.false(existsSync(fleet.path('h1', '/opt/look')), 'check mode made nothing');

  const real = await runCli([playbook, '-i', fleet.inventoryPath, '--json']);
  t.is(real.code, 0, real.stdout + real.stderr);
  t.deepEqual(statuses(JSON.parse(real.stdout) as Doc), expected, 'the check run predicted the real one');
  t.is(readFileSync(fleet.path('h1', '/opt/look/app/conf.d/app.conf'), 'utf8'), 'a=1\nb=2\n');
});
