import test from 'ava';
import { checkTemplate, renderText, renderValue } from '../../src/template/render.js';

/**
 * ansible.utils' ipaddr / ipv4 / ipv6 / ipmath filters. Expected values are those of ansible.utils'
 * documentation (its test_list examples) and of its ipaddr_utils.py with netaddr.
 */
const ev = (expr: string, vars: Record<string, unknown> = {}): unknown => renderValue(`{{ ${expr} }}`, vars);
const testList = ['192.24.2.1', 'host.fqdn', '::1', '192.168.32.0/24', 'fe80::100/10', true, '', '42540766412265424405338506004571095040/64'];

test('no query: a valid address or network as written (normalised), anything else false; a list keeps the valid ones', (t) => {
  t.is(ev("'192.168.1.5' | ipaddr"), '192.168.1.5');
  t.is(ev("'192.168.1.5/24' | ipaddr"), '192.168.1.5/24', 'the address keeps its host part');
  t.is(ev("'2001:0DB8:0000:0000:0001:0000:0000:0001' | ipaddr"), '2001:db8::1:0:0:1', 'IPv6 written compact, as inet_ntop');
  t.is(ev("'::ffff:192.0.2.1' | ipaddr"), '::ffff:192.0.2.1');
  t.is(ev("'192.168.1.0/255.255.255.0' | ipaddr"), '192.168.1.0/24', 'a netmask reads as its prefix');
  t.is(ev('3232235777 | ipaddr'), '192.168.1.1', 'an integer is an address');
  for (const bad of ["'host.fqdn'", "''", "'192.168.1'", "'01.2.3.4'", "'1.2.3.4/33'", "'fe80::1%eth0'", 'true', 'none', '{}']) {
    t.is(ev(`${bad} | ipaddr`), false, bad);
  }
  t.deepEqual(ev('xs | ipaddr', { xs: testList }), ['192.24.2.1', '::1', '192.168.32.0/24', 'fe80::100/10', '2001:db8:32c:faad::/64']);
  t.deepEqual(ev("xs | ipaddr('address')", { xs: testList }), ['192.24.2.1', '::1', 'fe80::100', '2001:db8:32c:faad::'],
    "192.168.32.0/24 is a network: it has no 'address' (IPv6 networks do)");
});

test("'address', 'network', 'netmask', 'prefix', 'host', 'net', 'broadcast' and their kin", (t) => {
  const q = (v: string, query: string) => ev(`'${v}' | ipaddr('${query}')`);
  t.is(q('192.168.1.5/24', 'address'), '192.168.1.5');
  t.is(q('192.168.1.5/24', 'network'), '192.168.1.0');
  t.is(q('192.168.1.5/24', 'netmask'), '255.255.255.0');
  t.is(q('192.168.1.5/24', 'hostmask'), '0.0.0.255');
  t.is(q('192.168.1.5/24', 'prefix'), 24);
  t.is(q('192.168.1.5/24', 'host'), '192.168.1.5/24');
  t.is(q('192.168.1.0/24', 'host'), null, 'the network address is no host');
  t.is(q('192.168.1.5', 'host'), '192.168.1.5/32');
  t.is(q('192.168.1.0/24', 'net'), '192.168.1.0/24');
  t.is(q('192.168.1.5/24', 'net'), null, 'an address is not a network');
  t.is(q('192.168.1.5/24', 'broadcast'), '192.168.1.255');
  t.is(q('10.0.0.0/31', 'broadcast'), null, 'a /31 has none');
  t.is(q('192.168.1.5/24', 'subnet'), '192.168.1.0/24');
  t.is(q('192.168.1.5/24', 'cidr'), '192.168.1.5/24');
  t.is(q('192.168.1.5/24', 'type'), 'address');
  t.is(q('192.168.1.0/24', 'type'), 'network');
  t.is(q('192.168.1.0/24', 'size'), 256);
  t.is(q('192.168.1.0/24', 'range_usable'), '192.168.1.1-192.168.1.254');
  t.is(q('192.168.1.0/24', 'first_usable'), '192.168.1.1');
  t.is(q('192.168.1.0/24', 'last_usable'), '192.168.1.254');
  t.is(q('192.168.1.5/24', 'next_usable'), '192.168.1.6');
  t.is(q('10.0.0.1/30', 'peer'), '10.0.0.2');
  t.is(q('2001:db8::5/32', 'netmask'), 'ffff:ffff::');
  t.is(q('2001:db8::/64', 'broadcast'), '2001:db8::ffff:ffff:ffff:ffff');
  t.is(q('192.168.1.5', 'version'), 4);
  t.is(q('2001:db8::1', 'wrap'), '[2001:db8::1]');
  t.is(q('192.168.1.5/24', 'int'), '3232235781/24');
  t.is(ev("'192.168.0.0/16' | ipaddr(-1)"), '192.168.255.255/16', 'a number: that address of the network');
  t.throws(() => ev("'192.168.1.5' | ipaddr('first_usable')"), { message: /ipaddr: Not a network address/ });
  t.throws(() => ev("'192.168.1.5/24' | ipaddr('bogus')"), { message: /ipaddr: unknown filter type: bogus/ });
});

test("'revdns': the PTR name, as in ansible.utils' documentation; bertvv.bind's IPv6 zone name from it", (t) => {
  t.deepEqual(ev("xs | ipaddr | ipaddr('revdns')", { xs: testList }), [
    '1.2.24.192.in-addr.arpa.',
    '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.ip6.arpa.',
    '0.32.168.192.in-addr.arpa.',
    '0.0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.e.f.ip6.arpa.',
    '0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.d.a.a.f.c.2.3.0.8.b.d.0.1.0.0.2.ip6.arpa.',
  ]);
  // templates/etc_named.conf.j2 of bertvv.bind
  const zone = "(network | ipaddr('revdns'))[-(9+(network|regex_replace('^.*/','')|int)//2):]";
  t.is(ev(zone, { network: '2001:db8::/48' }), '0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.');
  t.is(renderText("{{ host | ansible.utils.ipaddr('revdns') }} IN PTR ns1.", { host: '2001:db8::d:1' }),
    '1.0.0.0.d.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa. IN PTR ns1.');
});

test("'public' / 'private' as netaddr's is_global(); a network as the query keeps the values inside it", (t) => {
  t.is(ev("'8.8.8.8' | ipaddr('public')"), '8.8.8.8');
  t.is(ev("'8.8.8.8' | ipaddr('private')"), null);
  for (const p of ['10.1.2.3', '172.16.0.1', '192.168.1.1', '100.64.0.1', '127.0.0.1', '169.254.1.1', 'fd00::1', 'fe80::1', '2001:db8::1']) {
    t.is(ev(`'${p}' | ipaddr('private')`), p, p);
    t.is(ev(`'${p}' | ipaddr('public')`), null, p);
  }
  t.is(ev("'2001:4860::8888' | ipaddr('public')"), '2001:4860::8888');
  t.is(ev("'224.0.0.1' | ipaddr('public')"), null, 'multicast is not public');
  t.is(ev("'192.0.0.9' | ipaddr('public')"), '192.0.0.9', "an exception inside 192.0.0.0/24");
  t.deepEqual(ev("xs | ipaddr('10.0.0.0/8')", { xs: ['10.0.0.1', '192.168.1.1', '10.2.0.0/16', 'x'] }), ['10.0.0.1', '10.2.0.0/16']);
});

test('ipv4 / ipv6 keep their own version and convert with the ipv6 / ipv4 query; ipmath adds to an address', (t) => {
  t.is(ev("'192.168.1.1' | ipv4"), '192.168.1.1');
  t.is(ev("'192.168.1.1' | ipv6"), false);
  t.deepEqual(ev('xs | ansible.utils.ipv6', { xs: testList }), ['::1', 'fe80::100/10', '2001:db8:32c:faad::/64']);
  t.is(ev("'192.168.1.1' | ipv4('ipv6')"), '::ffff:192.168.1.1/128');
  t.is(ev("'::ffff:192.168.1.1/120' | ipv6('ipv4')"), '192.168.1.1/24');
  t.is(ev("'192.168.1.1' | ipmath(5)"), '192.168.1.6');
  t.is(ev("'192.168.1.5/24' | ipmath(-6)"), '192.168.0.255');
  t.is(ev("'2001:db8::1' | ansible.utils.ipmath(255)"), '2001:db8::100');
  t.throws(() => ev("'x' | ipmath(1)"), { message: /You must pass a valid IP address; x is invalid/ });
  t.throws(() => ev("'255.255.255.255' | ipmath(1)"), { message: /outside valid IP address boundary/ });
});

test('the names are known when the playbook loads', (t) => {
  t.notThrows(() => checkTemplate("{{ a | ipaddr('network') }} {{ a | ansible.utils.ipv4 }} {{ a | ipmath(1) }}"));
  t.throws(() => checkTemplate('{{ a | ipmath }}'), { message: /ipmath/ });
});
