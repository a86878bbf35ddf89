/**
 * Ansible's AnsibleUnsafe taint: a set_fact value that still holds "{{ }}" is rendered again when
 * read, in the reading task's scope, unless the template that made it read an unsafe value (a
 * registered result, a with_ loop's item, a lookup, a loop: over a result). Expected outputs are
 * what ansible-playbook 2.14 printed for the same playbooks.
 */
import test from 'ava';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freshFleet } from '../helpers/fleet.js';
import { parseRecap, repo, runCli } from '../helpers/cli.js';

const fixtures = join(repo, 'test/executor/fixtures/taint');
const fleet = freshFleet({ size: 1 }, { empty: ['/opt/taint'] });

test.serial('set_fact values are rendered again when read unless made from an unsafe value', async (t) => {
  const r = await runCli([join(fixtures, 'set-fact-render.yml'), '-i', fleet.inventoryPath], { env: { TSPLAY_TAINT_TEXT: '{{ later }}' } });
  t.is(r.code, 0, r.stdout + r.stderr);
  t.regex(r.stdout, /"msg": "var=one result=\{\{ later \}\} lookup=\{\{ later \}\} with=\{\{ later \}\} loop=one loop_result=\{\{ later \}\}"/);
  t.regex(r.stdout, /TASK \[rendered in the reading task's scope\] \*+\nok: \[h1\] => \{\n\s+"msg": "var=two"\n\}/);
  t.like(parseRecap(r.stdout), { h1: { ok: 7, failures: 0 } });
});

test.serial('--resume gives set_fact values back rendered again when read, or as data, as they were', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tsplay-taint-'));
  writeFileSync(fleet.path('h1', '/opt/taint/stop'), '');
  const args = [join(fixtures, 'resume.yml'), '-i', fleet.inventoryPath, '--journal-dir', dir];
  const first = await runCli(args);
  t.is(first.code, 2, first.stdout + first.stderr);
  t.regex(first.stdout, /TASK \[stop while the stop file is there\] \*+\nfatal: \[h1\]/);
  rmSync(fleet.path('h1', '/opt/taint/stop'));
  const resumed = await runCli([...args, '--resume', 'last']);
  t.is(resumed.code, 0, resumed.stdout + resumed.stderr);
  t.notRegex(resumed.stdout, /TASK \[set the facts\]/, 'the facts come from the state file');
  t.regex(resumed.stdout, /"msg": "kept=after-resume out=\{\{ later \}\}"/);
});
