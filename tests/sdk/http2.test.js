// HTTP/2 on HTTPS listeners, as browsers and Node's own http2 client use it: ALPN picks h2 (and
// http/1.1 on the same port for clients that want it), many streams share one connection and are
// each forwarded to the servers, bodies stream both ways under flow control, forwarding rules and
// certificate selection apply as over HTTP/1.1, Http2Enabled=false turns h2 off for new
// connections, and clients abusing the protocol (rapid reset, SETTINGS and PING floods, a header
// list too large) are cut off or refused without harming the listener.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const http2 = require('node:http2');
const https = require('node:https');
const tls = require('node:tls');
const crypto = require('node:crypto');
const { execFile } = require('node:child_process');
const { promisify } = require('node:util');
const { Server, makeCertificate } = require('./harness');

// A plain HTTP/1.1 server: echoes what it was sent, or streams `size` bytes for /download?size=N;
// /slow/… answers after a second.
async function startBackend() {
  const seen = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers });
    const url = new URL(req.url, 'http://x');
    if (url.pathname === '/download') {
      const size = Number(url.searchParams.get('size'));
      const piece = Buffer.alloc(64 * 1024, 'd');
      let sent = 0;
      res.setHeader('Content-Type', 'application/octet-stream');
      const pump = () => {
        while (sent < size) {
          const n = Math.min(piece.length, size - sent);
          sent += n;
          if (!res.write(piece.subarray(0, n))) return res.once('drain', pump);
        }
        res.end();
      };
      return pump();
    }
    const hash = crypto.createHash('sha256');
    let length = 0;
    req.on('data', (d) => { hash.update(d); length += d.length; });
    req.on('end', () => {
      res.setHeader('X-Body-Sha256', hash.digest('hex'));
      res.setHeader('X-Body-Length', String(length));
      res.setHeader('Content-Type', 'text/plain');
      const answer = () => res.end(`${req.method} ${req.url} via ${req.headers['x-forwarded-proto']}`);
      if (url.pathname.startsWith('/slow/')) return setTimeout(answer, 1000);
      answer();
    });
  });
  server.keepAliveTimeout = 60000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { seen, port: server.address().port, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

async function setUp(t) {
  const server = await Server.start();
  const backend = await startBackend();
  t.after(async () => { await server.stop(); await backend.close(); });
  const certificateId = await server.uploadCertificate('www.test');
  const { listenerId, port } = await server.listener({ protocol: 'HTTPS', port: 443, certificateId, backendPort: backend.port });
  return { server, backend, listenerId, port };
}

function connect(port, options = {}) {
  const session = http2.connect(`https://127.0.0.1:${port}`, { servername: 'www.test', rejectUnauthorized: false, ...options });
  session.on('error', () => {});
  return session;
}

// One request on an http2 session: { status, headers, body (Buffer) }.
function h2request(session, headers, body) {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':path': '/', host: 'www.test', ...headers }, { endStream: body === undefined });
    const chunks = [];
    let head;
    req.on('response', (h) => { head = h; });
    req.on('data', (d) => chunks.push(d));
    req.on('end', () => resolve({ status: head[':status'], headers: head, body: Buffer.concat(chunks) }));
    req.on('error', reject);
    if (body !== undefined) req.end(body);
  });
}

function alpnOf(port, protocols) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'www.test', rejectUnauthorized: false, ALPNProtocols: protocols }, () => {
      const chosen = socket.alpnProtocol;
      socket.destroy();
      resolve(chosen);
    });
    socket.once('error', reject);
  });
}

test('h2 and http/1.1 on one port: 100 concurrent streams forwarded, bodies streamed both ways, curl --http2 too', async (t) => {
  const { backend, port } = await setUp(t);
  assert.equal(await alpnOf(port, ['h2', 'http/1.1']), 'h2');
  assert.equal(await alpnOf(port, ['http/1.1']), 'http/1.1');

  const session = connect(port);
  t.after(() => session.close());
  const one = await h2request(session, { ':path': '/hello?x=1' });
  assert.equal(one.status, 200);
  assert.equal(one.body.toString(), 'GET /hello?x=1 via https');
  const seen = backend.seen.at(-1);
  assert.equal(seen.headers.host, 'www.test');
  assert.equal(seen.headers['x-forwarded-for'], '127.0.0.1');

  // 100 streams at once on the one connection.
  const many = await Promise.all(Array.from({ length: 100 }, (_, i) => h2request(session, { ':path': `/s/${i}` })));
  many.forEach((r, i) => {
    assert.equal(r.status, 200);
    assert.equal(r.body.toString(), `GET /s/${i} via https`);
  });

  // An 8 MiB upload without a length and a 32 MiB download arrive whole.
  const upload = crypto.randomBytes(8 * 1024 * 1024);
  const up = await h2request(session, { ':method': 'POST', ':path': '/upload', 'content-type': 'application/octet-stream' }, upload);
  assert.equal(up.status, 200);
  assert.equal(up.headers['x-body-length'], String(upload.length));
  assert.equal(up.headers['x-body-sha256'], crypto.createHash('sha256').update(upload).digest('hex'));
  const down = await h2request(session, { ':path': `/download?size=${32 * 1024 * 1024}` });
  assert.equal(down.status, 200);
  assert.equal(down.body.length, 32 * 1024 * 1024);

  // HTTP/1.1 on the same port still works.
  const h1 = await new Promise((resolve, reject) => {
    https.get({ host: '127.0.0.1', port, servername: 'www.test', path: '/h1', headers: { Host: 'www.test' }, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body, version: res.httpVersion }));
    }).on('error', reject);
  });
  assert.deepEqual(h1, { status: 200, body: 'GET /h1 via https', version: '1.1' });

  // curl, as a user would try it (asynchronously: the backend answers from this process).
  const { stdout: out } = await promisify(execFile)('curl', ['-sk', '--http2', '--resolve', `www.test:${port}:127.0.0.1`,
    `https://www.test:${port}/curl`, '-w', '\n%{http_version}']);
  assert.equal(out, 'GET /curl via https\n2');
});

test('gzip, forwarding rules and Http2Enabled apply to h2 as to HTTP/1.1', async (t) => {
  const { server, listenerId, port } = await setUp(t);
  const { JobId: ruleJob } = await server.call('CreateRule', {
    ListenerId: listenerId, RuleName: 'teapot', Priority: 1,
    RuleConditions: JSON.stringify([{ Type: 'Path', PathConfig: { Values: ['/tea'] } }]),
    RuleActions: JSON.stringify([{ Type: 'FixedResponse', Order: 1, FixedResponseConfig: { HttpCode: '418', Content: 'short and stout' } }]),
  });
  await server.waitJob(ruleJob);
  const session = connect(port);
  const tea = await h2request(session, { ':path': '/tea' });
  assert.equal(tea.status, 418);
  assert.equal(tea.body.toString(), 'short and stout');
  // A compressible answer over 1 KiB goes gzip to a client that takes it.
  const big = await h2request(session, { ':method': 'POST', ':path': `/${'x'.repeat(2000)}`, 'accept-encoding': 'gzip' }, 'a');
  assert.equal(big.headers['content-encoding'], 'gzip');
  session.close();

  await server.waitJob((await server.call('UpdateListenerAttribute', { ListenerId: listenerId, Http2Enabled: false })).JobId);
  assert.equal(await alpnOf(port, ['h2', 'http/1.1']), 'http/1.1', 'new connections get HTTP/1.1');
  await server.waitJob((await server.call('UpdateListenerAttribute', { ListenerId: listenerId, Http2Enabled: true })).JobId);
  assert.equal(await alpnOf(port, ['h2', 'http/1.1']), 'h2');

  // IdleTimeout: an idle h2 connection is told GOAWAY(NO_ERROR) before it is closed.
  await server.waitJob((await server.call('UpdateListenerAttribute', { ListenerId: listenerId, IdleTimeout: 1 })).JobId);
  const idle = connect(port);
  assert.equal((await h2request(idle, { ':path': '/then-idle' })).status, 200);
  const goaway = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve('none within 5 s'), 5000);
    idle.once('goaway', (code) => { clearTimeout(timer); resolve(code); });
  });
  assert.equal(goaway, http2.constants.NGHTTP2_NO_ERROR);
  idle.destroy();
});

// Waits for the session's GOAWAY (its error code) or its close; 'still open' after 5 s.
// How a session ended: the GOAWAY's error code, 'closed', or 'still open' when neither came
// within five seconds of `within()` being called. Events are caught from the start, so a client
// slowed by a busy machine does not spend the five seconds while it is still sending.
function goawayOf(session) {
  let settle;
  const ended = new Promise((resolve) => { settle = resolve; });
  session.once('goaway', (code) => settle(code));
  session.once('close', () => settle('closed'));
  return {
    within: () => Promise.race([ended, new Promise((resolve) => setTimeout(() => resolve('still open'), 5000).unref())]),
  };
}

test('abusive h2 clients are cut off with GOAWAY, and the listener goes on serving others', async (t) => {
  const { port } = await setUp(t);
  const ENHANCE_YOUR_CALM = 11;

  // Rapid reset (CVE-2023-44487): streams opened and cancelled in a loop, in batches of 50, until
  // the server cuts the client off. A fast client is cut off within a second (200 resets/s); a
  // client slowed by a busy machine, whose resets some batches never send, by the 1,000 resets
  // it made over its life — so the loop goes on well past that, not for a fixed 2,000 streams.
  const resetter = connect(port);
  const resetGone = goawayOf(resetter);
  await new Promise((r) => resetter.once('connect', r));
  for (let batch = 0; batch < 400 && !resetter.closed && !resetter.destroyed; ++batch) {
    const streams = [];
    for (let i = 0; i < 50; ++i) {
      const req = resetter.request({ ':path': `/slow/${batch}/${i}`, host: 'www.test' });
      req.on('error', () => {});
      streams.push(req);
    }
    // Each reset only once its HEADERS left (a stream closed before that sends nothing).
    for (let waited = 0; waited < 500 && resetter.state.outboundQueueSize > 0; waited += 2) {
      await new Promise((r) => setTimeout(r, 2));
    }
    await new Promise((r) => setTimeout(r, 2));
    for (const req of streams) req.close(http2.constants.NGHTTP2_CANCEL);
  }
  assert.equal(await resetGone.within(), ENHANCE_YOUR_CALM);

  // A SETTINGS flood and a PING flood.
  for (const flood of [(s) => s.settings({ enablePush: false }), (s) => s.ping(() => {})]) {
    const session = connect(port, { maxOutstandingPings: 5000, maxOutstandingSettings: 5000 });
    const gone = goawayOf(session);
    await new Promise((r) => session.once('connect', r));
    for (let i = 0; i < 1000 && !session.closed && !session.destroyed; ++i) {
      try { flood(session); } catch { break; }
    }
    assert.ok([ENHANCE_YOUR_CALM, 'closed'].includes(await gone.within()));
    session.destroy();
  }

  // A header list over 32 KiB: that stream is refused, the connection goes on.
  const session = connect(port);
  const refused = await new Promise((resolve) => {
    const req = session.request({ ':path': '/big', host: 'www.test', 'x-big': 'b'.repeat(40 * 1024) });
    req.on('response', (h) => resolve(h[':status']));
    req.on('error', (e) => resolve(e.code));
    req.on('close', () => resolve(req.rstCode));
    req.end();
  });
  assert.notEqual(refused, 200);
  const after = await h2request(session, { ':path': '/fine' });
  assert.equal(after.status, 200);
  session.close();
  resetter.destroy();

  // Well-behaved clients were never affected.
  const fresh = connect(port);
  assert.equal((await h2request(fresh, { ':path': '/ok' })).status, 200);
  fresh.close();
});

test('h2 streams reach an HTTPS server group over TLS', async (t) => {
  const server = await Server.start();
  const { cert, key } = makeCertificate('backend.test');
  const seen = [];
  const backend = https.createServer({ cert, key }, (req, res) => {
    seen.push({ url: req.url, servername: req.socket.servername });
    res.end(`tls ${req.url}`);
  });
  await new Promise((r) => backend.listen(0, '127.0.0.1', r));
  t.after(async () => { await server.stop(); backend.closeAllConnections(); backend.close(); });
  const certificateId = await server.uploadCertificate('www.test');
  const { listenerId, port } = await server.listener({ protocol: 'HTTPS', port: 443, certificateId });
  const { ServerGroupId: groupId, JobId: groupJob } = await server.call('CreateServerGroup',
    { ServerGroupName: 'tls', ServerGroupType: 'Ip', VpcId: 'vpc-1', Protocol: 'HTTPS' });
  await server.waitJob(groupJob);
  await server.waitJob((await server.call('AddServersToServerGroup', { ServerGroupId: groupId,
    'Servers.1.ServerId': '127.0.0.1', 'Servers.1.ServerType': 'Ip', 'Servers.1.Port': backend.address().port })).JobId);
  await server.waitJob((await server.call('UpdateListenerAttribute', { ListenerId: listenerId,
    'DefaultActions.1.Type': 'ForwardGroup', 'DefaultActions.1.ForwardGroupConfig.ServerGroupTuples.1.ServerGroupId': groupId })).JobId);
  const session = connect(port);
  const answers = await Promise.all(Array.from({ length: 20 }, (_, i) => h2request(session, { ':path': `/t/${i}` })));
  answers.forEach((r, i) => assert.equal(r.body.toString(), `tls /t/${i}`));
  assert.ok(seen.every((s) => s.servername === 'www.test'), JSON.stringify(seen.slice(0, 3)));
  session.close();
});
