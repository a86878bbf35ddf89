/**
 * A dynamic include reports a result of its own, as ansible-playbook 2.14 does (checked against it):
 * `included: FILE for HOST` on the console (per loop item; nothing for an include_role), `skipped` under a false `when` or an empty loop, and the recap counts one `ok`
 * per file an include_tasks brings in (per loop item), none for an include_role.
 */
import test from 'ava';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseRecap, runCli } from '../helpers/cli.js';

const play = join(dirname(fileURLToPath(import.meta.url)), 'fixtures/include-result/play.yml');

test('each include reports its own line and counts in the recap as Ansible counts it', async (t) => {
  const r = await runCli([play, '-i', 'localhost,']);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /TASK \[include_tasks\] \*+\nincluded: \/\S+\/include-result\/step\.yml for localhost\n/);
  t.regex(r.stdout, /TASK \[looped include\] \*+\nincluded: \S+\/step\.yml for localhost => \(item=a\)\nincluded: \S+\/step\.yml for localhost => \(item=b\)\n/);
  t.regex(r.stdout, /TASK \[never included\] \*+\nskipping: \[localhost\]\n/);
  t.regex(r.stdout, /TASK \[include_role : greet\] \*+\n\nTASK \[greet : debug\]/, 'an include_role prints no line of its own');
  t.regex(r.stdout, /TASK \[empty loop\] \*+\nskipping: \[localhost\]\n/);
  t.is((r.stdout.match(/"msg": "step /g) ?? []).length, 4, 'once, a, b, and the tagged include');
  // ok: 4 include_tasks files (once, a, b, tagged) + 4 step debugs + 1 greet debug; include_role: none
  t.like(parseRecap(r.stdout), { localhost: { ok: 9, skipped: 2 } });
});

test('--tags select the include itself: an untagged include is not run, its tasks are not reached', async (t) => {
  const r = await runCli([play, '-i', 'localhost,', '--tags', 'inc']);
  t.is(r.code, 0, r.stdout + r.stderr);
  t.notRegex(r.stdout, /TASK \[looped include\]/);
  t.regex(r.stdout, /TASK \[only under the include tag\] \*+\nincluded: \S+\/step\.yml for localhost\n/);
  // the included debug is untagged: not selected by --tags inc (an include's tags are its own)
  t.is((r.stdout.match(/"msg": "step /g) ?? []).length, 0);
  t.like(parseRecap(r.stdout), { localhost: { ok: 1, skipped: 0 } });
});

/** The registered values of register.yml's includes (its `registered` task's msg), from --json. */
async function registered(t: import('ava').ExecutionContext): Promise<{ msg: Record<string, Record<string, unknown>>; stdout: string; json: { stats: Record<string, Record<string, number>> } }> {
  const r = await runCli([join(dirname(play), 'register.yml'), '-i', 'localhost,', '--json']);
  t.is(r.code, 0, r.stdout + r.stderr);
  const json = JSON.parse(r.stdout) as { plays: { tasks: { task: { name: string }; hosts: Record<string, Record<string, unknown>> }[] }[]; stats: Record<string, Record<string, number>> };
  const tasks = json.plays[0]!.tasks;
  const task = tasks.find((x) => x.task.name === 'registered')!;
  return { msg: task.hosts.localhost!.msg as Record<string, Record<string, unknown>>, stdout: r.stdout, json };
}

test('register on include_tasks/include_role stores the include\'s own result, as Ansible 2.14 (checked against it)', async (t) => {
  const { msg } = await registered(t);
  // the file as written, not as found
  t.deepEqual(msg.once, { changed: false, include: 'step.yml', include_args: {} });
  t.deepEqual(msg.deferred, { changed: false, include: 'step.yml', include_args: {} }, 'a templated name: rendered, as written');
  t.deepEqual(msg.looped, {
    changed: false, skipped: false, msg: 'All items completed',
    results: [
      { include: 'step.yml', include_args: {}, item: 'a', ansible_loop_var: 'item' },
      { include: 'step.yml', include_args: {}, item: 'b', ansible_loop_var: 'item' },
    ],
  });
  // a false when skips the include before its loop (over an undefined variable) is evaluated
  t.deepEqual(msg.skipped, { changed: false, skipped: true, skip_reason: 'Conditional result was False' });
  t.deepEqual(msg.role, { changed: false, include_args: { name: 'greet' } });
  // an undefined variable in the when fails the include (ignored here): registered as failed, its tasks not included
  t.is(msg.undefined_when!.failed, true);
  t.regex(String(msg.undefined_when!.msg), /register\.yml:\d+:\d+: undefined variable 'not_defined_anywhere'/);
});

test('include keywords Ansible accepts: listen on an include handler, action: include_tasks, a templated loop_var', async (t) => {
  const { msg, json } = await registered(t);
  // loop_control.loop_var: '{{ var_name }}' is rendered when the loop runs
  t.deepEqual(msg.named, { changed: false, skipped: false, msg: 'All items completed', results: [{ include: 'step-named.yml', include_args: {}, chosen: 'x', ansible_loop_var: 'chosen' }] });
  const r = await runCli([join(dirname(play), 'register.yml'), '-i', 'localhost,']);
  t.regex(r.stdout, /TASK \[templated loop_var\] \*+\nincluded: \S+\/step-named\.yml for localhost => \(item=x\)\n\nTASK \[debug\] \*+\nok: \[localhost\] => \{\n {4}"msg": "named x"/);
  t.regex(r.stdout, /TASK \[through action\] \*+\nincluded: \S+\/step\.yml for localhost\n\nTASK \[debug\] \*+\nok: \[localhost\] => \{\n {4}"msg": "step once"/);
  t.regex(r.stdout, /TASK \[undefined in its when\] \*+\nfatal: \[localhost\]: FAILED! .*\n\.\.\.ignoring\n\nTASK \[include_role : greet\]/, 'failed, ignored, nothing included');
  // notified through its listen topic: the include handler runs (its line, then its task)
  t.regex(r.stdout, /RUNNING HANDLER \[include_tasks\] \*+\nincluded: \S*step\.yml for localhost\n\nRUNNING HANDLER \[debug\] \*+\nok: \[localhost\] => \{\n {4}"msg": "step once"/);
  // as ansible-playbook 2.14 on the same playbook
  t.like(json.stats, { localhost: { ok: 18, changed: 1, failures: 0, skipped: 1, ignored: 1 } });
});
