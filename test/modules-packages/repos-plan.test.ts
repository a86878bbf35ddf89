import test from 'ava';
import { ParseError } from '../../src/errors.js';
import { aptRepositoryModule, normalizeSource, planSources, suggestFilename, type AptRepositoryArgs } from '../../src/modules/apt-repository.js';
import { deb822RepositoryModule, slugOf, sourcesText } from '../../src/modules/deb822-repository.js';
import { aptKeyModule, idMatches, parseFingerprints, planAptKey, type AptKeyArgs } from '../../src/modules/apt-key.js';
import { debconfModule, parseDebconfShow, planDebconf } from '../../src/modules/debconf.js';
import { dumpSorted, parseRepoFile, repoSection, writeRepoFile, yumRepositoryModule, type YumRepoArgs } from '../../src/modules/yum-repository.js';
import { pubkeyName, planRpmKey, rpmKeyModule } from '../../src/modules/rpm-key.js';
import { where } from './helper.js';

const FPR = 'ABCDEF0123456789ABCDEF0123456789DEADBEEF';

test('apt_repository: file names and normalised lines as Ansible makes them', (t) => {
  t.is(suggestFilename('deb http://dl.google.com/linux/chrome/deb/ stable main'), 'dl_google_com_linux_chrome_deb');
  t.is(suggestFilename('deb [arch=amd64] https://user:pw@repo.example.com/debian bookworm main'), 'repo_example_com_debian');
  t.is(normalizeSource('deb   [ arch=amd64   signed-by=/k ]  http://x   y  main'), 'deb [arch=amd64 signed-by=/k] http://x y main');
  t.is(normalizeSource('# not a source'), undefined);
});

test('apt_repository: present appends to its file, enables a commented copy, or does nothing', (t) => {
  const args = aptRepositoryModule.parse({ repo: 'deb http://x/debian bookworm main' }, where, false);
  const none = planSources(args, new Map([['/etc/apt/sources.list', 'deb http://deb.debian.org/debian bookworm main\n']]));
  t.deepEqual([...none.changes], [['/etc/apt/sources.list.d/x_debian.list', 'deb http://x/debian bookworm main\n']]);
  const commented = planSources(args, new Map([['/etc/apt/sources.list', '# deb http://x/debian bookworm main\n']]));
  t.deepEqual([...commented.changes], [['/etc/apt/sources.list', 'deb http://x/debian bookworm main\n']]);
  t.is(planSources(args, new Map([['/etc/apt/sources.list.d/a.list', 'deb  http://x/debian  bookworm main # comment\n']])).changes.size, 0);
  const named = aptRepositoryModule.parse({ repo: 'deb http://x/debian bookworm main', filename: 'vendor' }, where, false);
  t.deepEqual([...planSources(named, new Map()).changes.keys()], ['/etc/apt/sources.list.d/vendor.list']);
});

test('apt_repository: absent removes the line everywhere; an emptied .list file is removed', (t) => {
  const args = { ...aptRepositoryModule.parse({ repo: 'deb http://x/debian bookworm main', state: 'absent' }, where, false) } as AptRepositoryArgs;
  const p = planSources(args, new Map([
    ['/etc/apt/sources.list', 'deb http://deb.debian.org/debian bookworm main\ndeb http://x/debian bookworm main\n'],
    ['/etc/apt/sources.list.d/x.list', 'deb http://x/debian bookworm main\n'],
  ]));
  t.deepEqual([...p.changes], [['/etc/apt/sources.list', 'deb http://deb.debian.org/debian bookworm main\n'], ['/etc/apt/sources.list.d/x.list', null]]);
  t.throws(() => aptRepositoryModule.parse({ repo: 'ppa:nginx/stable' }, where, false), { instanceOf: ParseError, message: /ppa: repositories are not supported/ });
  t.throws(() => aptRepositoryModule.parse({ repo: 'http://x stable' }, where, false), { message: /must be a "deb \.\.\."/ });
});

test('deb822_repository: Ansible\'s slug, field names and order, multi-line keys', (t) => {
  t.is(slugOf('Docker CE_stable!'), 'docker-ce-stable');
  const args = deb822RepositoryModule.parse({ name: 'docker', uris: 'https://download.docker.com/linux/debian', suites: ['bookworm'], components: 'stable', architectures: 'amd64', enabled: true }, where, false);
  t.is(sourcesText(args, '/etc/apt/keyrings/docker.asc'), [
    'Architectures: amd64', 'Components: stable', 'Enabled: yes', 'X-Repolib-Name: docker', 'Signed-By: /etc/apt/keyrings/docker.asc',
    'Suites: bookworm', 'Types: deb', 'URIs: https://download.docker.com/linux/debian', '',
  ].join('\n'));
  const key = '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nmQINBF\n-----END PGP PUBLIC KEY BLOCK-----';
  t.regex(sourcesText(args, key), /Signed-By: \n    -----BEGIN PGP PUBLIC KEY BLOCK-----\n    \.\n    mQINBF\n/);
  t.throws(() => deb822RepositoryModule.parse({ name: 'x', types: 'rpm' }, where, false), { message: /'types' must hold deb or deb-src/ });
});

test('apt_key: fingerprints from gpg, ids match the end of a fingerprint, commands per source', (t) => {
  const colons = `pub:-:2048:1:63041FB4CE312711:1:::-:::scSC::::::23::0:\nfpr:::::::::${FPR}:\nuid:-::::1::X::t <t@x>::::::::::0:\nsub:-:2048:1:AAAA:1::::::e:\nfpr:::::::::1111111111111111111111111111111111111111:\n`;
  t.deepEqual(parseFingerprints(colons), [FPR]);
  t.true(idMatches('0xDEADBEEF', FPR));
  t.true(idMatches('89DE ADBE EF', FPR.slice(0, 30) + '89DEADBEEF'));
  t.false(idMatches('BEEF', FPR), 'too short to name a key');
  const parse = (raw: Record<string, unknown>) => aptKeyModule.parse(raw, where, false) as AptKeyArgs;
  const facts = { aptKey: true, installed: [] as string[], offered: [FPR] };
  t.deepEqual(planAptKey(parse({ url: 'https://k.example/key.asc' }), facts).steps.map((s) => s.cmd), [
    "{ if command -v curl >/dev/null 2>&1; then curl -fsSL https://k.example/key.asc; else wget -q -O - https://k.example/key.asc; fi; } | APT_KEY_DONT_WARN_ON_DANGEROUS_USAGE=1 apt-key add -",
  ]);
  const data = planAptKey(parse({ data: 'KEY TEXT', keyring: '/etc/apt/trusted.gpg.d/x.gpg' }), facts, [FPR]);
  t.deepEqual(data.steps, [{ cmd: 'APT_KEY_DONT_WARN_ON_DANGEROUS_USAGE=1 apt-key --keyring /etc/apt/trusted.gpg.d/x.gpg add -', stdin: 'KEY TEXT' }]);
  t.deepEqual(planAptKey(parse({ file: '/k.asc' }), { ...facts, installed: [FPR] }).steps, []);
  t.like(planAptKey(parse({ file: '/k.asc', id: '12345678' }), facts), { failed: true });
  t.deepEqual(planAptKey(parse({ id: 'DEADBEEF', keyserver: 'keyserver.ubuntu.com' }), facts).steps.map((s) => s.cmd), ['APT_KEY_DONT_WARN_ON_DANGEROUS_USAGE=1 apt-key adv --no-tty --keyserver keyserver.ubuntu.com --recv DEADBEEF']);
  t.regex(String(planAptKey(parse({ file: '/k' }), { aptKey: false, installed: [], offered: [] }).msg), /apt-key is not on the target/);
  t.throws(() => parse({ file: '/a', url: 'http://b' }), { message: /'file' and 'url' are mutually exclusive/ });
  t.throws(() => parse({ state: 'absent' }), { message: /state absent needs 'id'/ });
});

test('debconf: reads debconf-show, compares as Ansible does, sends the selection on stdin', (t) => {
  const cur = parseDebconfShow('* tzdata/Areas: Europe\n  locales/default_environment_locale: en_US.UTF-8\n  pkg/flag: true\n  pkg/multi: b, a\n');
  t.deepEqual(cur, { 'tzdata/Areas': 'Europe', 'locales/default_environment_locale': 'en_US.UTF-8', 'pkg/flag': 'true', 'pkg/multi': 'b, a' });
  const parse = (raw: Record<string, unknown>) => debconfModule.parse({ name: 'pkg', ...raw }, where, false);
  t.deepEqual(planDebconf(parse({ question: 'pkg/flag', vtype: 'boolean', value: 'TRUE' }), cur).steps, []);
  t.deepEqual(planDebconf(parse({ question: 'pkg/multi', vtype: 'multiselect', value: ['a', 'b'] }), cur).steps, []);
  t.deepEqual(planDebconf(parse({ question: 'pkg/x', vtype: 'password', value: 's3cr$t', unseen: true }), cur).steps, [{ cmd: 'debconf-set-selections -u', stdin: 'pkg pkg/x password s3cr$t\n' }]);
  t.deepEqual(planDebconf(parse({}), cur), { steps: [], result: { current: cur } });
  t.throws(() => parse({ question: 'q' }), { message: /'question' needs 'vtype' and 'value'/ });
  t.throws(() => parse({ question: 'q', vtype: 'float', value: 1 }), { message: /'vtype' must be one of/ });
});

test('yum_repository: configparser format, sorted keys, 0/1 booleans; order alone is no change', (t) => {
  const args = yumRepositoryModule.parse({ name: 'epel', description: 'EPEL', baseurl: ['http://a/', 'http://b/'], gpgcheck: true, exclude: ['kernel*', 'x'] }, where, false) as YumRepoArgs;
  t.is(writeRepoFile([repoSection(args)]), '[epel]\nbaseurl = http://a/\n\thttp://b/\nexclude = kernel* x\ngpgcheck = 1\nname = EPEL\n\n');
  const read = parseRepoFile('# comment\n[epel]\nname = EPEL\ngpgcheck = 1\nexclude = kernel* x\nbaseurl = http://a/\n   http://b/\n');
  t.is(dumpSorted(read), dumpSorted([repoSection(args)]));
  t.throws(() => yumRepositoryModule.parse({ name: 'x', description: 'x' }, where, false), { message: /'baseurl', 'metalink' or 'mirrorlist' is required/ });
  t.throws(() => yumRepositoryModule.parse({ name: 'x', baseurl: 'http://a' }, where, false), { message: /'description' is required/ });
  t.notThrows(() => yumRepositoryModule.parse({ name: 'x', state: 'absent' }, where, false));
});

test('rpm_key: the gpg-pubkey name, import once, erase by id; a wrong fingerprint fails', (t) => {
  t.is(pubkeyName('0x63041FB4CE312711'), 'gpg-pubkey-ce312711');
  const key = (imported: string[]) => ['@key', `pub:-:2048:1:X:1:::::::::`, `fpr:::::::::${FPR}:`, '@rc 0', '@imported', ...imported, ''].join('\n');
  const parse = (raw: Record<string, unknown>) => rpmKeyModule.parse(raw, where, false);
  t.deepEqual(planRpmKey(parse({ key: '/k.asc' }), key([])).steps.map((s) => s.cmd), ['rpm --import /k.asc']);
  t.deepEqual(planRpmKey(parse({ key: '/k.asc' }), key(['gpg-pubkey-deadbeef'])).steps, []);
  t.regex(String(planRpmKey(parse({ key: '/k.asc', fingerprint: '00' }), key([])).msg), /does not match the key fingerprint/);
  t.deepEqual(planRpmKey(parse({ key: 'DEADBEEF', state: 'absent' }), '@id DEADBEEF\n@imported\ngpg-pubkey-deadbeef\n').steps.map((s) => s.cmd), ['rpm --erase --allmatches gpg-pubkey-deadbeef']);
  t.throws(() => parse({ key: 'DEADBEEF' }), { message: /a key id alone \(DEADBEEF\) can only be removed/ });
});
