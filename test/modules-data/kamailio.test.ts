import test from 'ava';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { kamailioModule } from '../../src/modules/kamailio.js';
import type { FileDiff } from '../../src/modules/types.js';
import { oneHost, type OneHost } from './helpers.js';

// Real /usr/sbin/kamailio validates every config here: minimal ones, no modules needed.
const LIVE_PATH = '/etc/kamailio/kamailio.cfg';
const SHIPPED_PATH = '/opt/sre/etc/kamailio/kamailio.cfg';
const LOCAL_PATH = '/etc/kamailio/kamailio-local.cfg';

const shipped = (children: number) => `#!KAMAILIO
# SRE 4.0.2 shipped config
listen=udp:0.0.0.0:5060
import_file "kamailio-local.cfg"
children=${children}
#!ifdef WITH_REGISTER_CLIENT
log_stderror=no
#!endif
request_route {
  drop;
}
`;
const LIVE = `#!KAMAILIO
# SRE 3.3 config, adapted on site
listen=udp:127.0.0.1:5062
import_file "kamailio-local.cfg"
children=2
request_route {
  drop;
}
`;
const BROKEN = `#!KAMAILIO\nlisten=udp:0.0.0.0:5060\nrequest_route {\n  drop\n`;

let h: OneHost;
test.before(async () => {
  h = await oneHost();
});
test.after.always(async () => {
  await h?.stop();
});

const reset = (shippedText: string) => {
  h.write(LIVE_PATH, LIVE);
  h.write(SHIPPED_PATH, shippedText);
  h.write(LOCAL_PATH, '# site defines\n');
};
const live = () => readFileSync(h.path(LIVE_PATH), 'utf8');
const backups = () => readdirSync(h.path('/etc/kamailio')).filter((f) => f.startsWith('kamailio.cfg.') && f.endsWith('~'));

test.serial('state diff reports the differences beyond listen lines and changes nothing', async (t) => {
  reset(shipped(8));
  const r = await h.run(kamailioModule, { state: 'diff' });
  t.false(r.failed);
  t.false(r.changed);
  t.deepEqual(r.differences, ['-# SRE 3.3 config, adapted on site', '+# SRE 4.0.2 shipped config', '-children=2', '+children=8', '+#!ifdef WITH_REGISTER_CLIENT', '+log_stderror=no', '+#!endif']);
  t.regex(String(r.diff_text), /^-listen=udp:127\.0\.0\.1:5062$/m);
  t.is(live(), LIVE);
  const f = await h.run(kamailioModule, { state: 'diff', fail_on_diff: true });
  t.true(f.failed);
  t.regex(String(f.msg), /differs from \/opt\/sre\/etc\/kamailio\/kamailio\.cfg in 7 line/);
});

test.serial('state installed: shipped config with the old listen line, validated, backed up; second run ok', async (t) => {
  reset(shipped(8));
  const before = backups().length;
  const check = await h.run(kamailioModule, { state: 'installed' }, { check: true });
  t.true(check.changed);
  t.is(live(), LIVE, 'check mode changes nothing');
  const expected = shipped(8).replace('listen=udp:0.0.0.0:5060', 'listen=udp:127.0.0.1:5062');
  t.is((check.diff as FileDiff[])[0]!.after, expected);

  const r = await h.run(kamailioModule, { state: 'installed' });
  t.false(r.failed, String(r.msg));
  t.true(r.changed);
  t.is(live(), expected);
  t.is(backups().length, before + 1);
  t.true(existsSync(h.path(String(r.backup_file))));
  t.is(readFileSync(h.path(String(r.backup_file)), 'utf8'), LIVE);
  const check2 = await h.sh(`kamailio -c -f ${LIVE_PATH} >/dev/null 2>&1; echo $?`);
  t.is(check2.stdout.trim(), '0');

  const again = await h.run(kamailioModule, { state: 'installed' });
  t.false(again.changed);
  t.false(again.failed);
  t.is(backups().length, before + 1);
  const diff = await h.run(kamailioModule, { state: 'diff', fail_on_diff: true });
  t.false(diff.failed, 'after install only the preserved lines differ');
});

test.serial('an invalid shipped config leaves the live one untouched and fails with kamailio\'s message', async (t) => {
  reset(BROKEN);
  const r = await h.run(kamailioModule, { state: 'installed' });
  t.true(r.failed);
  t.false(r.changed);
  t.log(r.msg);
  t.regex(String(r.msg), /kamailio config check failed, \/etc\/kamailio\/kamailio\.cfg left unchanged: .*parse error in config file/);
  t.is(live(), LIVE);
  const leftovers = readdirSync(h.path('/etc/kamailio')).filter((f) => f.includes('.tsplay.'));
  t.deepEqual(leftovers, [], 'no temp file left behind');
});

test.serial('defines: WITH_REGISTER_CLIENT added once to kamailio-local.cfg, and the config validates with it', async (t) => {
  reset(shipped(4));
  const r = await h.run(kamailioModule, { state: 'installed', defines: ['WITH_REGISTER_CLIENT'] });
  t.false(r.failed, String(r.msg));
  t.deepEqual(r.defines_added, ['WITH_REGISTER_CLIENT']);
  t.is(readFileSync(h.path(LOCAL_PATH), 'utf8'), '# site defines\n#!define WITH_REGISTER_CLIENT\n');
  const again = await h.run(kamailioModule, { state: 'installed', defines: ['WITH_REGISTER_CLIENT'] });
  t.false(again.changed);
  t.is(readFileSync(h.path(LOCAL_PATH), 'utf8'), '# site defines\n#!define WITH_REGISTER_CLIENT\n');
  const un = await h.run(kamailioModule, { state: 'installed', undefines: ['WITH_REGISTER_CLIENT'] });
  t.true(un.changed);
  t.is(readFileSync(h.path(LOCAL_PATH), 'utf8'), '# site defines\n');
});

test.serial('paths with spaces and quotes arrive as literal data', async (t) => {
  const dir = `/etc/kamailio/it's "x" $(touch /tmp/pwned) \`id\``;
  h.write(`${dir}/live.cfg`, LIVE);
  h.write(`${dir}/shipped.cfg`, shipped(3));
  const r = await h.run(kamailioModule, { state: 'installed', live: `${dir}/live.cfg`, shipped: `${dir}/shipped.cfg`, backup: false });
  t.false(r.failed, String(r.msg));
  t.is(readFileSync(h.path(`${dir}/live.cfg`), 'utf8'), shipped(3).replace('listen=udp:0.0.0.0:5060', 'listen=udp:127.0.0.1:5062'));
  t.false(existsSync(h.path('/tmp/pwned')));
});
