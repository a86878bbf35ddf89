/**
 * Handlers as ansible-playbook 2.14 resolves and runs them, on test hosts: force_handlers in the play
 * over the CLI flag, handlers_from, which handler a name finds, templated handler and notify names,
 * handler chains, a handler failing inside a block, the errors Ansible stops the run with.
 * Each handler writes a line to /opt/h/log on its host: the log says what ran, in what order.
 */
import test from 'ava';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseRecap, repo, runCli } from '../helpers/cli.js';
import { freshFleet } from '../helpers/fleet.js';

const fleet = freshFleet({ size: 2 }, { empty: ['/opt/h'] });
const fixture = (name: string) => join(repo, 'test/executor/fixtures/handlers', name);
const log = (h: string) => (existsSync(fleet.path(h, '/opt/h/log')) ? readFileSync(fleet.path(h, '/opt/h/log'), 'utf8').trim().split('\n') : []);
const run = (playbook: string, ...args: string[]) => runCli([fixture(playbook), '-i', fleet.inventoryPath, ...args], { cwd: fixture('.') });

test.serial('force_handlers: false in a play wins over --force-handlers; a play that does not set it follows the flag', async (t) => {
  const r = await run('force.yml', '--force-handlers');
  t.is(r.code, 2, r.stdout + r.stderr);
  // play 1: h1 failed and does not run its handler (the play says false); h2 runs it
  // play 2: only h2 is left; it fails, and --force-handlers runs its handler
  t.deepEqual(log('h1'), []);
  t.deepEqual(log('h2'), ['play1 handler', 'play2 handler']);
});

test.serial('include_role in k=v form loads handlers_from; a name finds the first handler of the last handlers list; listen topics reach roles and the play', async (t) => {
  const r = await run('lookup.yml');
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /RUNNING HANDLER \[svc : restart\]/);
  // role handlers come first (as Ansible compiles them), then the play's, in the order written
  t.deepEqual(log('h1'), ['role alternate restart', '--', 'role main restart', 'first twice', 'play listener']);
  t.deepEqual(log('h2'), log('h1'));
});

test.serial('handler names are rendered with play and extra vars when notified; a notify name is rendered with the host\'s', async (t) => {
  const r = await run('templated.yml');
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /RUNNING HANDLER \[restart web\]/, 'shown by its rendered name');
  t.deepEqual(log('h1'), ['after', 'restart web', 'reload h1']);
  t.deepEqual(log('h2'), ['after', 'restart web', 'reload h2']);

  const ok = await run('templated.yml', '-e', 'fire=1', '-e', 'option=extra');
  t.is(ok.code, 0, ok.stdout + ok.stderr);
  t.deepEqual(log('h1').slice(-4), ['after', 'restart web', 'reload h1', 'restart with extra']);
});

test.serial('a notify that no handler answers when it is notified stops the run with exit 1, as Ansible', async (t) => {
  // 'restart with extra' may be 'restart with {{ option }}' (so not refused at load); option is undefined
  const r = await run('templated.yml', '-e', 'fire=1');
  t.is(r.code, 1, r.stdout + r.stderr);
  t.regex(r.stdout, /TASK \[notify a name only the optional handler can have\] \*+\nchanged: \[h\d\]/);
  t.regex(r.stderr, /^\[WARNING\]: .*templated\.yml:\d+: handler 'restart with \{\{ option \}\}' is unusable/m);
  t.regex(r.stderr, /^ERROR! \S+templated\.yml:\d+:\d+: task 'notify a name only the optional handler can have': notify: the requested handler 'restart with extra' was not found/m);
  t.deepEqual(log('h1'), [], 'nothing after the notifying task ran, no handler either');
  t.notRegex(r.stdout, /PLAY RECAP/);
});

test.serial('a handler notifying itself is done with it; one notifying a handler it has passed leaves it for the next flush', async (t) => {
  const r = await run('chains.yml');
  t.is(r.code, 0, r.stdout + r.stderr);
  // flush 1: one (notifies two), two (notifies one: already passed), self (notifies itself: done)
  // end of tasks: one (notifies two), two (notifies one); end of post_tasks: one, two again
  t.deepEqual(log('h1'), ['one', 'two', 'self', 'between', 'one', 'two', 'one', 'two']);
});

test.serial("a handler failing in a flush inside a block goes to the outermost block's rescue and always; the run does not fail for it", async (t) => {
  const r = await run('rescue.yml');
  t.is(r.code, 0, r.stdout + r.stderr);
  t.deepEqual(log('h1'), ['rescue', 'always', 'after'], 'the inner block and its always are skipped, as Ansible');
  t.deepEqual(log('h2'), ['inner', 'inner-always', 'always', 'after']);
  t.like(parseRecap(r.stdout), { h1: { failures: 1, rescued: 0 }, h2: { failures: 0, skipped: 1 } });
});

test.serial('meta: flush_handlers used as a handler stops the run when notified (exit 1), as Ansible', async (t) => {
  const r = await run('flush-as-handler.yml');
  t.is(r.code, 1, r.stdout + r.stderr);
  t.regex(r.stderr, /^ERROR! \S+flush-as-handler\.yml:\d+:\d+: handler 'flusher': meta: flush_handlers cannot be used as a handler$/m);
  t.deepEqual(log('h1'), []);
});

test.serial("a notify naming a task of an include handler is refused at load time, saying to notify the include", async (t) => {
  const r = await run('notify-included.yml');
  t.is(r.code, 4, r.stdout + r.stderr);
  t.regex(r.stderr, /^ERROR! \S+notify-included\.yml:4:7: notify: no handler named 'from the include' in this play \('from the include' is a task of the handler 'include handler', which includes it: notify 'include handler'\)$/m);
  t.is(r.stdout, '');
});
