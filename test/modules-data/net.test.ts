import test from 'ava';
import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer as createHttp, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { connect, createServer as createTcp, type Server, type Socket } from 'node:net';
import { uriModule } from '../../src/modules/uri.js';
import { waitForModule } from '../../src/modules/wait-for.js';
import { waitForConnectionModule } from '../../src/modules/wait-for-connection.js';
import { NASTY, oneHost, type OneHost } from './helpers.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** command lines of curl processes running while the request was served */
  curlArgv: string[];
}

let h: OneHost;
let http: HttpServer;
let httpPort = 0;
const seen: Seen[] = [];

/** Command lines of running curl processes (the fleet hosts share the controller's PID space). */
function curlProcesses(): string[] {
  const out: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (argv[0]?.endsWith('curl')) out.push(argv.join(' '));
    } catch {
      /* gone */
    }
  }
  return out;
}

const listen = (srv: Server | HttpServer) => new Promise<number>((ok) => srv.listen(0, '127.0.0.1', () => ok((srv.address() as { port: number }).port)));

test.before(async () => {
  h = await oneHost();
  http = createHttp((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body, curlArgv: curlProcesses() });
      if (req.url === '/missing') return res.writeHead(404, { 'Content-Type': 'text/plain' }).end('no such thing');
      if (req.url === '/redirect') return res.writeHead(302, { Location: '/status' }).end();
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Lab': 'yes' });
      res.end(JSON.stringify({ status: 'up', version: '4.0.2', got: { method: req.method, body, auth: req.headers.authorization ?? null, token: req.headers['x-token'] ?? null } }));
    });
  });
  httpPort = await listen(http);
});
test.after.always(async () => {
  http?.close();
  await h?.stop();
});

const url = (p: string) => `http://127.0.0.1:${httpPort}${p}`;

test.serial('uri GET: status, headers and the JSON body parsed, never changed; under --check no request ("would run")', async (t) => {
  const n = seen.length;
  const check = await h.run(uriModule, { url: url('/redirect'), return_content: true }, { check: true });
  t.like(check, { skipped: true, changed: false, failed: false });
  t.regex(String(check.msg), /^would run: GET http:\/\/127\.0\.0\.1:\d+\/redirect/);
  t.is(seen.length, n, 'check mode sends no GET either');
  const r = await h.run(uriModule, { url: url('/redirect'), return_content: true });
  t.false(r.failed, String(r.msg));
  t.false(r.changed);
  t.is(r.status, 200);
  t.is(r.url, url('/status'), 'redirect followed for GET');
  t.true(r.redirected as boolean);
  t.is((r.json as { version: string }).version, '4.0.2');
  t.is((r.headers as Record<string, string>)['x-lab'], 'yes');
  t.is(r.content_type, 'application/json');
  t.is(typeof r.content, 'string');
});

test.serial('uri POST json with headers and basic auth: body and secrets arrive intact, never on a command line', async (t) => {
  const n = seen.length;
  const args = {
    url: url('/api'),
    method: 'POST',
    body_format: 'json',
    body: { note: NASTY },
    headers: { 'X-Token': 'tok-SECRET-1' },
    url_username: 'admin',
    url_password: 'pw-SECRET-2 "x"',
    force_basic_auth: true,
  };
  const check = await h.run(uriModule, args, { check: true });
  t.like(check, { skipped: true, failed: false });
  t.is(seen.length, n, 'check mode sends no POST');
  const r = await h.run(uriModule, args);
  t.false(r.failed, String(r.msg));
  t.false(r.changed);
  const req = seen[seen.length - 1]!;
  t.is(req.method, 'POST');
  t.deepEqual(JSON.parse(req.body), { note: NASTY });
  t.is(req.headers['content-type'], 'application/json');
  t.is(req.headers.authorization, `Basic ${Buffer.from('admin:pw-SECRET-2 "x"').toString('base64')}`);
  t.is(req.headers['x-token'], 'tok-SECRET-1');
  t.true(req.curlArgv.length > 0, 'curl was seen running');
  t.false(req.curlArgv.some((a) => a.includes('SECRET')), req.curlArgv.join('\n'));
  t.false(existsSync(h.path('/tmp/pwned')));
});

test.serial('uri form-urlencoded body, and status_code decides failure', async (t) => {
  const r = await h.run(uriModule, { url: url('/form'), method: 'PUT', body_format: 'form-urlencoded', body: { a: 'x y', b: '&=' } });
  t.false(r.failed);
  t.is(seen[seen.length - 1]!.body, 'a=x+y&b=%26%3D');
  const missing = await h.run(uriModule, { url: url('/missing') });
  t.true(missing.failed);
  t.is(missing.status, 404);
  t.regex(String(missing.msg), /Status code was 404 and not \[200\]/);
  const allowed = await h.run(uriModule, { url: url('/missing'), status_code: [200, 404], return_content: true });
  t.false(allowed.failed);
  t.is(allowed.content, 'no such thing');
  const refused = await h.run(uriModule, { url: 'http://127.0.0.1:1/', timeout: 5 });
  t.true(refused.failed);
  t.is(refused.status, -1);
  t.regex(String(refused.msg), /Request failed: curl: \(7\)/);
});

test.serial('wait_for a log line (Genesys 21-22172) written while waiting; match_groups from the line', async (t) => {
  h.write('/var/log/confserv.log', 'Std 21-25303 Configuration Server started in backup mode\n');
  const later = setTimeout(() => appendFileSync(h.path('/var/log/confserv.log'), 'Std 21-22172 Configuration Server is running as backup\n'), 1200);
  const r = await h.run(waitForModule, { path: '/var/log/confserv.log', search_regex: '(21-22172) (.*)', timeout: 20 });
  clearTimeout(later);
  t.false(r.failed, String(r.msg));
  t.false(r.changed);
  t.deepEqual(r.match_groups, ['21-22172', 'Configuration Server is running as backup']);
  t.is(typeof r.elapsed, 'number');
  const gone = await h.run(waitForModule, { path: '/var/log/confserv.log', search_regex: '21-99999', state: 'absent', timeout: 5 });
  t.false(gone.failed);
});

test.serial('wait_for a path: present, absent, and a timeout that fails with msg', async (t) => {
  const odd = `/srv/${NASTY.replace(/\//g, '_')}`;
  // path is a target path (Ansible's type: path): its $HOME is expanded on the host (root's: /root)
  h.write(odd.replace('$HOME', '/root'), 'x');
  t.false((await h.run(waitForModule, { path: odd, timeout: 5 })).failed);
  t.false(existsSync(h.path('/tmp/pwned')));
  t.false((await h.run(waitForModule, { path: '/srv/never', state: 'absent', timeout: 5 })).failed);
  const r = await h.run(waitForModule, { path: '/srv/never', timeout: 1, msg: 'config server did not come up' });
  t.true(r.failed);
  t.is(r.msg, 'config server did not come up');
  const d = await h.run(waitForModule, { path: '/srv/never', timeout: 1 });
  t.is(d.msg, 'Timeout when waiting for /srv/never to be started');
});

test.serial('wait_for a port: started, stopped, drained of established connections', async (t) => {
  const srv = createTcp((s) => s.on('error', () => {}));
  const sockets: Socket[] = [];
  srv.on('connection', (s) => sockets.push(s));
  const port = await listen(srv);
  t.false((await h.run(waitForModule, { port, timeout: 5 })).failed);
  t.true((await h.run(waitForModule, { port, state: 'stopped', timeout: 1 })).failed);

  const client = connect(port, '127.0.0.1');
  await new Promise((ok) => client.on('connect', ok));
  t.true((await h.run(waitForModule, { port, state: 'drained', timeout: 1 })).failed, 'an established connection is not drained');
  client.destroy();
  sockets.forEach((s) => s.destroy());
  t.false((await h.run(waitForModule, { port, state: 'drained', timeout: 10 })).failed);

  await new Promise((ok) => srv.close(ok));
  t.false((await h.run(waitForModule, { port, state: 'stopped', timeout: 5 })).failed);
  t.true((await h.run(waitForModule, { port, timeout: 1 })).failed);
});

test.serial("wait_for search_regex on a port reads the server's banner (sshd's SSH-2.0)", async (t) => {
  const { address, port } = h.fleet.host('h1');
  const r = await h.run(waitForModule, { host: address, port, search_regex: '^(SSH-2\\.0)-', timeout: 10 });
  t.false(r.failed, String(r.msg));
  t.deepEqual(r.match_groups, ['SSH-2.0']);
});

test.serial('wait_for_connection answers at once on a reachable host', async (t) => {
  const r = await h.run(waitForConnectionModule, { timeout: 10 });
  t.false(r.failed, String(r.msg));
  t.false(r.changed);
});

// Known gap in the connection layer: a connection whose host went away does not reopen on the next exec
// (and the pool remembers a failed connect), so waiting for a rebooted host cannot succeed yet. When the
// SSH connection reconnects lazily, this starts passing and ava reports it: turn it into a normal test.
test.serial('wait_for_connection rides out a host that goes down and comes back', async (t) => {
  const other = await oneHost();
  try {
    await other.fleet.stopHost('h1');
    const later = setTimeout(() => void other.fleet.startHost('h1'), 1500);
    const r = await other.run(waitForConnectionModule, { timeout: 6, connect_timeout: 2 });
    clearTimeout(later);
    t.false(r.failed, String(r.msg));
  } finally {
    await other.stop();
  }
});
