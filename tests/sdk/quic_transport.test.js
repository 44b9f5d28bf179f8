// QUIC transport behaviour a client meets (openalb_quic_probe and Debian's gtlsclient): with
// address validation on, a new client answers a Retry and gets through, while a forged token
// is refused with INVALID_TOKEN; QUIC connections count in the data plane's per-client cap,
// idle ones making room and busy ones refusing newcomers with CONNECTION_REFUSED; request
// bodies count in the data plane's buffered-bytes cap; a client whose address changes
// mid-connection keeps its connection; garbage is dropped, an unknown version gets Version
// Negotiation and a packet for no connection a stateless reset.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const { spawn, spawnSync } = require('node:child_process');
const dgram = require('node:dgram');
const crypto = require('node:crypto');
const { Server, waitFor } = require('./harness');
const { probe, presented, probeMissing } = require('./quic_probe');

const NGTCP2_CONNECTION_REFUSED = '0x2';
const NGTCP2_INVALID_TOKEN = '0xb';

// Answers "ok <path>"; /slow/… after two seconds. `seen`: the paths it was asked for.
async function startBackend(t, seen = []) {
  const backend = http.createServer((req, res) => {
    seen.push(req.url);
    const answer = () => res.end(`ok ${req.url}`);
    if (req.url.startsWith('/slow/')) setTimeout(answer, 2000); else answer();
  });
  await new Promise((r) => backend.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => { backend.closeAllConnections(); backend.close(r); }));
  return backend.address().port;
}

async function quicListener(t, args = []) {
  const server = await Server.start({ args });
  t.after(() => server.stop());
  const certificateId = await server.uploadCertificate('www.quic.test');
  const seen = [];
  const { port } = await server.listener({ protocol: 'QUIC', port: 443, certificateId, backendPort: await startBackend(t, seen) });
  return { server, port, seen };
}

test('with address validation on, clients answer a Retry and get through; a forged token is refused', { skip: probeMissing }, async (t) => {
  const { port } = await quicListener(t, ['--dataplane-quic-retry-above', '0']);
  const validated = await presented(port, 'www.quic.test', { gets: ['/after-retry'] });
  assert.equal(validated.hello.handshake, true, validated.hello.error);
  assert.equal(validated.hello.retried, true, 'the server asked for a Retry round trip');
  assert.equal(validated.hello.cn, 'www.quic.test');
  assert.deepEqual(validated.answers.map((a) => [a.status, a.body]), [[200, 'ok /after-retry']]);

  // A token that looks like a Retry token (its first byte) but was not made by this server.
  const forged = await presented(port, 'www.quic.test', { extra: ['--token', `b6${'5a'.repeat(60)}`] });
  assert.equal(forged.hello.handshake, false);
  assert.match(forged.hello.error, new RegExp(`closed by the server: transport error ${NGTCP2_INVALID_TOKEN}$`));

  // Debian's ngtcp2 client goes through the Retry too.
  if (spawnSync('gtlsclient', ['--help']).status === 0) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openalb-h3-retry-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const log = await gtlsclient(port, ['--sni=www.quic.test', `--download=${dir}`, `https://www.quic.test:${port}/gtls`]);
    assert.match(log.output, /Retry/i, 'gtlsclient saw the Retry');
    assert.equal(fs.readFileSync(path.join(dir, 'gtls'), 'utf8'), 'ok /gtls');
  }
});

test('without load, no Retry round trip is asked for', { skip: probeMissing }, async (t) => {
  const { port } = await quicListener(t);
  const { hello } = await presented(port, 'www.quic.test');
  assert.equal(hello.handshake, true, hello.error);
  assert.equal(hello.retried, false);
});

test('QUIC connections count in the per-client cap: idle ones make room, busy ones refuse newcomers', { skip: probeMissing }, async (t) => {
  const { port, seen } = await quicListener(t, ['--dataplane-max-connections-per-client', '2']);
  // One after the other, so which one has been idle longer is known.
  const held = [];
  t.after(() => held.forEach((p) => p.child.kill()));
  for (let i = 0; i < 2; ++i) {
    held.push(probe(port, 'www.quic.test', ['--stdin']));
    assert.equal((await held[i].waitLines(1))[0].handshake, true);
  }

  // Both idle: a third connection is admitted, and the oldest idle one is closed for it.
  const third = await presented(port, 'www.quic.test', { gets: ['/third'] });
  assert.equal(third.hello.handshake, true, third.hello.error);
  assert.deepEqual(third.answers.map((a) => a.status), [200]);
  const [first, second] = held;
  const firstEnd = await first.waitLines(2);
  assert.equal(firstEnd[1].closed, true, 'the oldest idle connection was closed to make room');
  assert.match(firstEnd[1].error, /closed by the server: application error 0x100$/, 'with H3_NO_ERROR');

  // Two connections each with a request in flight: a newcomer is refused, not served by
  // dropping a busy one.
  second.send('QUIT');
  await second.closed;
  const busy = [probe(port, 'www.quic.test', ['--stdin']), probe(port, 'www.quic.test', ['--stdin'])];
  t.after(() => busy.forEach((p) => p.child.kill()));
  for (const p of busy) assert.equal((await p.waitLines(1))[0].handshake, true);
  busy.forEach((p, i) => p.send(`GET /slow/${i}`));
  await waitFor(() => seen.includes('/slow/0') && seen.includes('/slow/1'), 10000, 'both requests at the server');
  const refused = await presented(port, 'www.quic.test');
  assert.equal(refused.hello.handshake, false);
  assert.match(refused.hello.error, new RegExp(`closed by the server: transport error ${NGTCP2_CONNECTION_REFUSED}$`));
  for (const [i, p] of busy.entries()) {
    const answer = (await p.waitLines(2))[1];
    assert.deepEqual([answer.status, answer.body], [200, `ok /slow/${i}`], 'busy connections were left alone');
  }
  // Once they are idle again, a newcomer gets in.
  assert.equal((await presented(port, 'www.quic.test')).hello.handshake, true);
});

test('HTTP/3 request bodies count in the buffered-bytes cap: past it 503, as on HTTPS', { skip: spawnSync('gtlsclient', ['--help']).status !== 0 && 'gtlsclient (ngtcp2-client) is not installed' }, async (t) => {
  const { port } = await quicListener(t, ['--dataplane-max-buffered-mib', '1']);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openalb-h3-budget-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const upload = async (bytes, name) => {
    const file = path.join(dir, `${name}.body`);
    fs.writeFileSync(file, Buffer.alloc(bytes, 'u'));
    await gtlsclient(port, ['--sni=www.quic.test', `--download=${dir}`, '-m', 'POST', '-d', file, `https://www.quic.test:${port}/${name}`]);
    return fs.readFileSync(path.join(dir, name), 'utf8');
  };
  assert.equal(await upload(2 * 1024 * 1024, 'big'), '503 Service Unavailable: the load balancer is holding too many request bodies; retry.\n');
  assert.equal(await upload(100 * 1024, 'small'), 'ok /small', 'the bytes of the refused body were given back');
});

// Sends `packets` from one UDP socket and collects what comes back within `ms`.
async function exchange(port, packets, ms = 500) {
  const socket = dgram.createSocket('udp4');
  const answers = [];
  socket.on('message', (m) => answers.push(m));
  await new Promise((r) => socket.bind(0, '127.0.0.1', r));
  for (const p of packets) socket.send(p, port, '127.0.0.1');
  await new Promise((r) => setTimeout(r, ms));
  socket.close();
  return answers;
}

test('garbage is dropped, an unknown version gets Version Negotiation, a packet for no connection a stateless reset', { skip: probeMissing }, async (t) => {
  const { port } = await quicListener(t);

  // 200 datagrams that are not QUIC (no fixed bit, or too short to parse): no answer at all.
  const garbage = Array.from({ length: 200 }, (_, i) => {
    const p = crypto.randomBytes(1 + (i % 50));
    p[0] &= 0x3f;
    return p;
  });
  assert.deepEqual(await exchange(port, garbage), []);

  // A long header of version 0x1a2a3a4a (reserved for exercising negotiation), padded to 1200.
  const dcid = crypto.randomBytes(8);
  const scid = crypto.randomBytes(8);
  const initial = Buffer.concat([Buffer.from([0xc0, 0x1a, 0x2a, 0x3a, 0x4a, 8]), dcid, Buffer.from([8]), scid]);
  const [negotiation, ...more] = await exchange(port, [Buffer.concat([initial, Buffer.alloc(1200 - initial.length)])]);
  assert.equal(more.length, 0);
  assert.ok(negotiation, 'a Version Negotiation packet came back');
  assert.equal(negotiation[0] & 0x80, 0x80, 'long header');
  assert.equal(negotiation.readUInt32BE(1), 0, 'version 0: Version Negotiation');
  assert.deepEqual(negotiation.subarray(6, 14), scid, 'addressed to the client\'s id');
  assert.deepEqual(negotiation.subarray(15, 23), dcid);
  const versions = [];
  for (let at = 23; at + 4 <= negotiation.length; at += 4) versions.push(negotiation.readUInt32BE(at));
  assert.ok(versions.includes(1), `QUIC v1 offered: ${versions.map((v) => v.toString(16))}`);

  // A short-header packet for a connection the server does not have: a stateless reset,
  // shorter than what triggered it and itself looking like a short-header packet.
  const shortHeader = Buffer.concat([Buffer.from([0x40 | 0x01]), crypto.randomBytes(18), crypto.randomBytes(80)]);
  const [reset] = await exchange(port, [shortHeader]);
  assert.ok(reset, 'a stateless reset came back');
  assert.ok(reset.length < shortHeader.length && reset.length >= 21, `${reset.length} bytes`);
  assert.equal(reset[0] & 0xc0, 0x40, 'short header with the fixed bit');
  // A tiny one gets nothing (a reset must be smaller than its trigger, and at least 21 bytes).
  assert.deepEqual(await exchange(port, [shortHeader.subarray(0, 30)]), []);

  // The listener goes on serving.
  assert.equal((await presented(port, 'www.quic.test')).hello.handshake, true);
});

function gtlsclient(port, args) {
  const child = spawn('gtlsclient', ['--exit-on-all-streams-close', '--timeout=5s', ...args.slice(0, -1), '127.0.0.1', String(port), args.at(-1)],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (d) => { output += d; });
  child.stderr.on('data', (d) => { output += d; });
  return new Promise((resolve) => child.on('close', (status) => resolve({ status, output })));
}

test('a client whose address changes mid-connection keeps its QUIC connection', { skip: spawnSync('gtlsclient', ['--help']).status !== 0 && 'gtlsclient (ngtcp2-client) is not installed' }, async (t) => {
  const { port } = await quicListener(t);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openalb-h3-migrate-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  // The client moves to a new local port 300 ms after its handshake and sends its request
  // after 800 ms: the request arrives from an address the connection did not start on.
  const { output } = await gtlsclient(port, ['--sni=www.quic.test', `--download=${dir}`,
    '--change-local-addr=300ms', '--delay-stream=800ms', `https://www.quic.test:${port}/moved`]);
  assert.match(output, /Local address is now/, 'the client did change its address');
  assert.equal(fs.readFileSync(path.join(dir, 'moved'), 'utf8'), 'ok /moved');
});
