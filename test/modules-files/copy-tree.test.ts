/**
 * copy as Ansible's copy target exercises it, on a fleet host: controller directory trees with and
 * without local_follow (links, directory_mode), `follow` on a link at dest, remote_src with `$HOME`
 * and `mode: preserve`, the action plugin's messages; and debug's `verbosity`, include_tasks file=X.
 */
import test from 'ava';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { lstat, readlink, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { copyModule } from '../../src/modules/copy.js';
import { fileModule } from '../../src/modules/file.js';
import { runCli, workDir } from '../helpers/cli.js';
import { startFilesLab, type FilesLab } from './helpers.js';

let lab: FilesLab;
const H = 'h1';

test.before(async () => {
  lab = await startFilesLab(1);
  // files/tree: a file, a nested dir, an empty dir, and links to a file, a dir in the tree, the tree itself, nowhere
  const tree = join(lab.local, 'files', 'tree');
  mkdirSync(join(tree, 'sub', 'deep'), { recursive: true });
  mkdirSync(join(tree, 'empty'));
  writeFileSync(join(tree, 'a.txt'), 'A\n');
  writeFileSync(join(tree, 'sub', 'deep', 'b.txt'), 'B\n');
  symlinkSync('../a.txt', join(tree, 'sub', 'a-link'));
  symlinkSync('deep', join(tree, 'sub', 'deep-link'));
  symlinkSync('../', join(tree, 'sub', 'circle'));
  symlinkSync('nowhere', join(tree, 'sub', 'dangling'));
});
test.after.always(async () => lab?.stop());

const modeOf = async (p: string) => ((await stat(lab.fleet.path(H, p))).mode & 0o7777).toString(8);
const linkOf = async (p: string) => ((await lstat(lab.fleet.path(H, p))).isSymbolicLink() ? readlink(lab.fleet.path(H, p)) : undefined);

test('copy a directory, local_follow=false: links stay links, directory_mode on every directory, then ok', async (t) => {
  await lab.sh(H, 'mkdir -p /srv/t1');
  const args = { src: 'tree', dest: '/srv/t1', directory_mode: '0700', local_follow: false };
  const first = await lab.run(copyModule, H, args);
  t.like(first, { changed: true, failed: false, dest: '/srv/t1/' });
  t.is(await lab.read(H, '/srv/t1/tree/sub/deep/b.txt'), 'B\n');
  t.is(await linkOf('/srv/t1/tree/sub/a-link'), '../a.txt');
  t.is(await linkOf('/srv/t1/tree/sub/deep-link'), 'deep');
  t.is(await linkOf('/srv/t1/tree/sub/circle'), '../');
  t.is(await linkOf('/srv/t1/tree/sub/dangling'), 'nowhere');
  for (const d of ['tree', 'tree/empty', 'tree/sub', 'tree/sub/deep']) t.is(await modeOf(`/srv/t1/${d}`), '700', d);
  t.false((await lab.run(copyModule, H, args)).changed, 'second run: ok');
  // a tree directory whose mode drifted gets directory_mode back
  await lab.sh(H, 'chmod 755 /srv/t1/tree/sub');
  t.true((await lab.run(copyModule, H, args)).changed);
  t.is(await modeOf('/srv/t1/tree/sub'), '700');
});

test('copy a directory\'s content (src: dir/), local_follow=true: a link to a file is copied as the file, a loop stays a link', async (t) => {
  const first = await lab.run(copyModule, H, { src: 'tree/', dest: '/srv/t2' });
  t.like(first, { changed: true, failed: false });
  t.is(await lab.read(H, '/srv/t2/a.txt'), 'A\n');
  t.is(await linkOf('/srv/t2/sub/a-link'), undefined, 'the file it led to');
  t.is(await lab.read(H, '/srv/t2/sub/a-link'), 'A\n');
  t.is(await linkOf('/srv/t2/sub/deep-link'), undefined, 'a link to a directory is walked into');
  t.is(await lab.read(H, '/srv/t2/sub/deep-link/b.txt'), 'B\n');
  t.is(await linkOf('/srv/t2/sub/circle'), '../', 'a link back into the tree stays a link');
  t.false((await lab.run(copyModule, H, { src: 'tree/', dest: '/srv/t2' })).changed);
});

test('copy follow: yes writes where the link leads, follow: no replaces the link, even with the same content', async (t) => {
  await lab.sh(H, "mkdir -p /srv/f && printf 'old\\n' > /srv/f/target && ln -sfn ./target /srv/f/link");
  const through = await lab.run(copyModule, H, { content: 'new\n', dest: '/srv/f/link', follow: true });
  t.like(through, { changed: true, dest: '/srv/f/target' });
  t.is(await linkOf('/srv/f/link'), './target');
  t.is(await lab.read(H, '/srv/f/target'), 'new\n');
  t.false((await lab.run(copyModule, H, { content: 'new\n', dest: '/srv/f/link', follow: true })).changed);
  const replaced = await lab.run(copyModule, H, { content: 'new\n', dest: '/srv/f/link', follow: false });
  t.true(replaced.changed, 'same content, but the link becomes a file');
  t.is(await linkOf('/srv/f/link'), undefined);
  t.is(await lab.read(H, '/srv/f/link'), 'new\n');
});

test('copy remote_src: $HOME is the target\'s, mode: preserve takes the remote source\'s mode', async (t) => {
  await lab.sh(H, "printf 'key\\n' > ~/src.txt && chmod 0547 ~/src.txt && mkdir -p /srv/r");
  const r = await lab.run(copyModule, H, { src: '$HOME/src.txt', dest: '/srv/r/copied', remote_src: true, mode: 'preserve' });
  t.like(r, { changed: true, failed: false, mode: '0547' });
  t.is(await lab.read(H, '/srv/r/copied'), 'key\n');
  t.is(await modeOf('/srv/r/copied'), '547');
});

test('copy remote_src with a directory: dir/ into dest, dir into dest/dir; then only a new or changed file is a change', async (t) => {
  await lab.sh(H, "mkdir -p /srv/rs/src/sub && printf 'one\\n' > /srv/rs/src/f1 && printf 'two\\n' > /srv/rs/src/sub/f2 && ln -sfn f1 /srv/rs/src/link");
  const content = await lab.run(copyModule, H, { src: '/srv/rs/src/', dest: '/srv/rs/d1', remote_src: true });
  t.like(content, { changed: true, failed: false });
  t.is(await lab.read(H, '/srv/rs/d1/sub/f2'), 'two\n');
  t.is(await linkOf('/srv/rs/d1/link'), 'f1', 'local_follow not given: links stay links');
  await lab.sh(H, 'mkdir -p /srv/rs/d2');
  const named = await lab.run(copyModule, H, { src: '/srv/rs/src', dest: '/srv/rs/d2', remote_src: true, local_follow: true });
  t.like(named, { changed: true, dest: '/srv/rs/d2/src' });
  t.is(await linkOf('/srv/rs/d2/src/link'), undefined, 'local_follow: the file the link leads to');
  t.is(await lab.read(H, '/srv/rs/d2/src/link'), 'one\n');
  t.false((await lab.run(copyModule, H, { src: '/srv/rs/src/', dest: '/srv/rs/d1', remote_src: true })).changed, 'same tree: ok');
  await lab.sh(H, "printf 'TWO\\n' > /srv/rs/src/sub/f2");
  t.true((await lab.run(copyModule, H, { src: '/srv/rs/src/', dest: '/srv/rs/d1', remote_src: true }, { check: true })).changed);
  t.is(await lab.read(H, '/srv/rs/d1/sub/f2'), 'two\n', 'check mode copied nothing');
  t.true((await lab.run(copyModule, H, { src: '/srv/rs/src/', dest: '/srv/rs/d1', remote_src: true })).changed);
  t.is(await lab.read(H, '/srv/rs/d1/sub/f2'), 'TWO\n');
});

test('copy: ~ in dest is the home of the user on the target; remote_src /dev/null is not a file; a vault file needs a password', async (t) => {
  const home = await lab.run(copyModule, H, { content: 'x\n', dest: '~/home.txt' });
  t.like(home, { changed: true, dest: '/root/home.txt' });
  t.is(await lab.read(H, '/root/home.txt'), 'x\n');
  // the file module too (copy's target cleans up with `file: path: ~/test.txt state: absent`)
  t.like(await lab.run(fileModule, H, { path: '~/home.txt', state: 'absent' }), { changed: true, path: '/root/home.txt' });
  t.is(await lab.read(H, '/root/home.txt'), undefined);
  t.like(await lab.run(copyModule, H, { src: '/dev/null', dest: '/srv/null-copy', remote_src: true }), { failed: true, msg: "Cannot copy invalid source '/dev/null': not a file" });
  writeFileSync(join(lab.local, 'files', 'secret.txt'), '$ANSIBLE_VAULT;1.1;AES256\n3033\n');
  const vault = await lab.run(copyModule, H, { src: 'secret.txt', dest: '/srv/secret.txt' });
  t.like(vault, { failed: true, msg: `A vault password or secret must be specified to decrypt ${join(lab.local, 'files', 'secret.txt')}` });
  t.like(await lab.run(copyModule, H, { src: 'secret.txt', dest: '/srv/secret.txt', decrypt: false }), { changed: true, failed: false }, 'decrypt: no copies the ciphertext');
});

test('copy argument errors carry the action plugin\'s messages when the task runs', async (t) => {
  await t.throwsAsync(lab.run(copyModule, H, { src: '', dest: '/srv/x' }), { message: 'copy: src (or content) is required' });
  await t.throwsAsync(lab.run(copyModule, H, { src: 'tree' }), { message: 'copy: dest is required' });
});

test('debug verbosity: skipped below it ("Verbosity threshold not met."), shown at it; include_tasks file=X', async (t) => {
  const dir = workDir('copy-tree-cli');
  writeFileSync(join(dir, 'inc.yml'), '- debug: {msg: included}\n');
  writeFileSync(
    join(dir, 'site.yml'),
    [
      '- hosts: localhost',
      '  gather_facts: false',
      '  tasks:',
      '    - debug: {msg: loud, verbosity: 1}',
      '      register: r',
      '    - assert: {that: ["r is skipped", "r.skipped_reason == \'Verbosity threshold not met.\'"]}',
      '    - include_tasks: file=inc.yml',
      '',
    ].join('\n'),
  );
  const quiet = await runCli(['site.yml'], { cwd: dir });
  t.is(quiet.code, 0, quiet.stdout + quiet.stderr);
  t.regex(quiet.stdout, /skipping: \[localhost\]/);
  t.regex(quiet.stdout, /"msg": "included"/);
  t.notRegex(quiet.stdout, /loud/);
  const loud = await runCli(['site.yml', '-v', '-e', 'x=1'], { cwd: dir });
  t.regex(loud.stdout, /"msg": "loud"/);
  t.is(loud.code, 2, 'at -v it runs, so the assert that it was skipped fails');
});
