/**
 * target-paths.ts: `~` and `$VAR` in a module's target paths as Python's expanduser(expandvars(…)) does
 * on the target — here the probe runs the real script in the controller's /bin/sh (read-only: printenv,
 * getent), with the environment a task would give it.
 */
import test from 'ava';
import { userInfo } from 'node:os';
import { LocalConnection } from '../../src/connection/local.js';
import { expandTargetPaths, type TargetPath } from '../../src/modules/target-paths.js';
import { findModule, moduleNames } from '../../src/modules/registry.js';
import { ParseError } from '../../src/errors.js';

const local = new LocalConnection();

function expander(env: Record<string, string>) {
  const probes: string[] = [];
  const probe = (cmd: string) => (probes.push(cmd), local.exec(cmd, { env }));
  return { probes, run: <A>(args: A, declared: readonly TargetPath[]) => expandTargetPaths(args, declared, probe) };
}

const me = userInfo();

test("Python's rules: $VAR and ${VAR} from the environment, unknown ones kept, then a leading ~ or ~user", async (t) => {
  const { probes, run } = expander({ HOME: '/home/tsp-test/', TSP_DIR: '/srv/a b', TSP_EMPTY: '' });
  const out = await run(
    {
      a: '~/x',
      b: '~',
      c: '$HOME/x',
      d: '${TSP_DIR}/y',
      e: '$TSP_DIR$TSP_EMPTY/z',
      f: '$TSP_UNSET/x and ${also-not}',
      g: '~root/x',
      h: '~tsp-no-such-user/x',
      i: '/etc/$',
      j: 'a~b/$',
      k: ['~/l1', '/plain', '$TSP_DIR'],
    },
    ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'],
  );
  t.deepEqual(out, {
    a: '/home/tsp-test/x', // $HOME with its trailing slash stripped, as expanduser does
    b: '/home/tsp-test',
    c: '/home/tsp-test//x', // expandvars keeps the slash (Python gives the same)
    d: '/srv/a b/y',
    e: '/srv/a b/z',
    f: '$TSP_UNSET/x and ${also-not}',
    g: '/root/x',
    h: '~tsp-no-such-user/x',
    i: '/etc/$',
    j: 'a~b/$',
    k: ['/home/tsp-test/l1', '/plain', '/srv/a b'],
  });
  t.is(probes.length, 1, 'one probe answers every argument');
});

test('a bare ~ without $HOME is the passwd home of the running user; ~$VAR asks once more', async (t) => {
  const { probes, run } = expander({ TSP_USER: 'root' });
  // env -u is not available through ExecOptions: unset HOME in the command the probe runs instead
  const probe = (cmd: string) => (probes.push(cmd), local.exec(`unset HOME; ${cmd}`, { env: { TSP_USER: 'root' } }));
  t.deepEqual(await expandTargetPaths({ p: '~/x' }, ['p'], probe), { p: `${me.homedir.replace(/\/+$/, '')}/x` });
  t.deepEqual(await run({ p: '~$TSP_USER/x' }, ['p']), { p: '/root/x' });
  t.is(probes.length, 3);
});

test('nothing to expand: no probe, the same arguments; a conditional path only when its flag is true', async (t) => {
  const { probes, run } = expander({ HOME: '/h' });
  const args = { dest: '/etc/x', src: '~/ctl.txt', remote_src: false, n: 3 };
  t.is(await run(args, ['dest', { arg: 'src', when: 'remote_src' }]), args);
  t.is(probes.length, 0);
  t.deepEqual(await run({ ...args, remote_src: true }, ['dest', { arg: 'src', when: 'remote_src' }]), { ...args, remote_src: true, src: '/h/ctl.txt' });
  t.deepEqual(await run({ dest: '~/a' }, []), { dest: '~/a' });
  t.is(probes.length, 1);
});

test('a value that is shell syntax reaches the target as data', async (t) => {
  const { run } = expander({ HOME: '/h', 'X': "$(touch /tmp/pwned-by-tsplay)'" });
  t.deepEqual(await run({ p: "$X/~`id`'$(id)" }, ['p']), { p: "$(touch /tmp/pwned-by-tsplay)'/~`id`'$(id)" });
  t.deepEqual(await run({ p: "~it's/x" }, ['p']), { p: "~it's/x" });
});

test('every declared target path is an argument its module accepts', (t) => {
  const seen = new Set<unknown>();
  let declared = 0;
  for (const name of moduleNames()) {
    const mod = findModule(name)!;
    if (seen.has(mod) || !mod.targetPaths) continue;
    seen.add(mod);
    for (const d of mod.targetPaths) {
      for (const key of typeof d === 'string' ? [d] : [d.arg, d.when]) {
        declared++;
        try {
          mod.parse({ [key]: '{{ x }}' }, { file: 't.yml' }, true);
        } catch (e) {
          t.true(e instanceof ParseError);
          t.notRegex((e as Error).message, new RegExp(`unsupported argument '${key}'`), `${mod.name}: ${key}`);
        }
      }
    }
  }
  t.true(declared > 50);
});
