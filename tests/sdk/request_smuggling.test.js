// Request smuggling against a lenient origin: a capture server that frames requests by
// Content-Length alone and ignores Transfer-Encoding, as some real servers do. Every
// ambiguous framing a client sends is refused by openalb (400, or 501 for codings it does not
// decode) and reaches the origin not at all; an honest chunked request reaches it as one
// request with openalb's own Content-Length and no Transfer-Encoding; the Host and forwarding
// headers the origin sees are the ones openalb stands behind.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { Server } = require('./harness');

// The lenient origin: records every request it frames (by Content-Length only) and answers
// each with 200.
async function startCaptureServer() {
  const requests = [];
  const server = net.createServer((socket) => {
    let pending = Buffer.alloc(0);
    socket.on('data', (data) => {
      pending = Buffer.concat([pending, data]);
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = pending.subarray(0, end).toString('latin1');
        const length = Number((/\r\ncontent-length:\s*(\d+)/i.exec(head) || [0, 0])[1]);
        if (pending.length < end + 4 + length) return;
        const body = pending.subarray(end + 4, end + 4 + length).toString('latin1');
        pending = pending.subarray(end + 4 + length);
        requests.push({ head, body });
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      }
    });
    socket.on('error', () => {});
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { requests, port: server.address().port, close: () => new Promise((r) => server.close(r)) };
}

// Sends raw bytes on a fresh connection and resolves with everything read until openalb
// closes it or `quietMs` pass without data.
function exchange(port, raw, quietMs = 600) {
  return new Promise((resolve) => {
    let data = '';
    let timer;
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write(raw));
    const finish = () => { clearTimeout(timer); socket.destroy(); resolve(data); };
    const arm = () => { clearTimeout(timer); timer = setTimeout(finish, quietMs); };
    socket.on('data', (d) => { data += d; arm(); });
    socket.on('close', finish);
    socket.on('error', finish);
    arm();
  });
}

async function setUp(t) {
  const server = await Server.start();
  const origin = await startCaptureServer();
  t.after(async () => { await server.stop(); await origin.close(); });
  const { port } = await server.listener({ protocol: 'HTTP', port: 80, backendPort: origin.port });
  return { origin, port };
}

const smuggled = 'GET /smuggled HTTP/1.1\r\nHost: victim\r\n\r\n';
const chunkedSmuggle = `${(smuggled.length).toString(16)}\r\n${smuggled}\r\n0\r\n\r\n`;

test('ambiguous framings are refused and never reach the origin', async (t) => {
  const { origin, port } = await setUp(t);
  const variants = [
    ['xchunked, chunked', `Transfer-Encoding: xchunked, chunked\r\n\r\n${chunkedSmuggle}`, 501],
    ['chunked, chunked', `Transfer-Encoding: chunked, chunked\r\n\r\n${chunkedSmuggle}`, 400],
    ['two chunked fields', `Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n${chunkedSmuggle}`, 400],
    ['chunked, gzip', `Transfer-Encoding: chunked, gzip\r\n\r\n${smuggled}`, 400],
    ['xchunked', `Transfer-Encoding: xchunked\r\n\r\n${smuggled}`, 400],
    ['TE and CL', `Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n${chunkedSmuggle}`, 400],
    ['two Content-Lengths', `Content-Length: 0\r\nContent-Length: ${smuggled.length}\r\n\r\n${smuggled}`, 400],
  ];
  for (const [name, rest, status] of variants) {
    const reply = await exchange(port, `POST /upload HTTP/1.1\r\nHost: site\r\n${rest}`);
    assert.match(reply, new RegExp(`^HTTP/1\\.1 ${status} `), `${name}: ${reply}`);
    assert.equal((reply.match(/HTTP\/1\.1 /g) || []).length, 1, `${name}: one answer only`);
  }
  for (const [name, raw] of [
    ['no Host', 'GET / HTTP/1.1\r\n\r\n'],
    ['two Hosts', 'GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n'],
    ['TE on HTTP/1.0', `POST / HTTP/1.0\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n${chunkedSmuggle}`],
  ]) {
    assert.match(await exchange(port, raw), /^HTTP\/1\.1 400 /, name);
  }
  assert.deepEqual(origin.requests, [], 'nothing reached the origin');
});

test('an honest chunked request reaches the origin as exactly one request', async (t) => {
  const { origin, port } = await setUp(t);
  const reply = await exchange(port,
    `POST /upload HTTP/1.1\r\nHost: site\r\nTransfer-Encoding: chunked\r\n\r\n${chunkedSmuggle}`);
  assert.match(reply, /^HTTP\/1\.1 200 /);
  assert.equal(origin.requests.length, 1);
  const { head, body } = origin.requests[0];
  assert.match(head, /^POST \/upload HTTP\/1\.1\r\n/);
  assert.match(head, new RegExp(`\\r\\ncontent-length: ${smuggled.length}(\\r\\n|$)`, 'i'));
  assert.doesNotMatch(head, /transfer-encoding/i);
  assert.equal(body, smuggled);  // as data, not as a request
});

test('absolute-form targets and forwarding headers: the origin sees what openalb stands behind', async (t) => {
  const { origin, port } = await setUp(t);
  const reply = await exchange(port, [
    'GET http://app.example:8080/path?q=1 HTTP/1.1', 'Host: other.example',
    'X-Real-IP: 10.9.9.9', 'X-Forwarded-Proto: https', 'X-Forwarded-Host: admin.internal',
    'X-Forwarded-For: 203.0.113.1', 'Forwarded: for=10.9.9.9;proto=https', '', ''].join('\r\n'));
  assert.match(reply, /^HTTP\/1\.1 200 /);
  const { head } = origin.requests[0];
  assert.match(head, /^GET \/path\?q=1 HTTP\/1\.1\r\n/);
  assert.match(head, /\r\nhost: app\.example:8080(\r\n|$)/i);
  assert.doesNotMatch(head, /other\.example/);
  assert.match(head, /\r\nx-real-ip: 127\.0\.0\.1(\r\n|$)/i);
  assert.match(head, /\r\nx-forwarded-proto: http(\r\n|$)/i);
  assert.match(head, /\r\nx-forwarded-for: 203\.0\.113\.1, 127\.0\.0\.1(\r\n|$)/i);
  assert.doesNotMatch(head, /x-forwarded-host|\r\nforwarded:|10\.9\.9\.9/i);
});
