// The bounds of a listener's client connections, attacked as a review did: thirty clients
// each holding a body one byte short (1 MiB: the longest openalb reads whole; longer ones
// stream) no longer grow the server by the sum of their bodies (past
// --dataplane-max-buffered-mib they are answered 503); one client cannot hold
// more than --dataplane-max-connections-per-client busy connections (429), while its idle
// kept-alive ones are reclaimed to make room; and a client that never finishes its headers is
// cut off after --dataplane-header-timeout, not the fixed minute it used to get.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const { Server, waitFor } = require('./harness');

// An HTTP listener forwarding to a real server; resolves with the listener's port.
async function listener(t, server) {
  const backend = http.createServer((req, res) => { req.resume(); req.on('end', () => res.end('ok')); });
  backend.keepAliveTimeout = 60000;
  await new Promise((r) => backend.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => { backend.closeAllConnections(); backend.close(r); }));
  return (await server.listener({ protocol: 'HTTP', port: 80, backendPort: backend.address().port })).port;
}

function rssMiB(pid) {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

// A connection that sends `head` and then `bodyBytes` bytes; resolves once all is written
// (or the server answered first) with the socket and what it read so far.
function holdOpen(port, head, bodyBytes) {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const state = { socket, data: '', closed: false };
    socket.on('data', (d) => (state.data += d));
    socket.on('close', () => (state.closed = true));
    socket.on('error', () => {});
    socket.on('connect', async () => {
      socket.write(head);
      const chunk = Buffer.alloc(256 * 1024, 'b');
      for (let sent = 0; sent < bodyBytes && !state.closed && !state.data; sent += chunk.length) {
        const piece = chunk.subarray(0, Math.min(chunk.length, bodyBytes - sent));
        if (!socket.write(piece)) await new Promise((r) => { socket.once('drain', r); socket.once('close', r); });
      }
      resolve(state);
    });
  });
}

test('bodies held one byte short cannot take more memory than the buffer cap', async (t) => {
  const server = await Server.start({ args: ['--dataplane-max-buffered-mib', '4'] });
  t.after(() => server.stop());
  const port = await listener(t, server);
  const before = rssMiB(server.proc.pid);
  const size = 1024 * 1024;
  const head = `POST /upload HTTP/1.1\r\nHost: a\r\nContent-Length: ${size}\r\n\r\n`;
  const held = [];
  for (let i = 0; i < 30; i++) held.push(await holdOpen(port, head, size - 1));
  t.after(() => held.forEach((h) => h.socket.destroy()));
  await waitFor(() => held.filter((h) => h.data).length >= 26, 10000, 'the refusals');
  const refused = held.filter((h) => /^HTTP\/1\.1 503 /.test(h.data));
  // 4 MiB holds four 1 MiB bodies; every other client was told, none was left hanging.
  assert.equal(refused.length, 26, held.map((h) => h.data.slice(0, 20)).join('|'));
  const grown = rssMiB(server.proc.pid) - before;
  assert.ok(grown < 4 + 24, `the server grew ${grown.toFixed(1)} MiB holding bodies`);
  // Once the held bodies are given up, new uploads are served again.
  held.forEach((h) => h.socket.destroy());
  await waitFor(async () => {
    const done = await holdOpen(port, `POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nConnection: close\r\n\r\n`, 5);
    await waitFor(() => done.data.includes('\r\n\r\n') || done.closed, 5000, 'an answer');
    done.socket.destroy();
    return /^HTTP\/1\.1 200 /.test(done.data);
  }, 10000, 'uploads served again');
});

test('one client gets its share of connections; its idle ones make room for its new ones', async (t) => {
  const server = await Server.start({ args: ['--dataplane-max-connections-per-client', '4'] });
  t.after(() => server.stop());
  const port = await listener(t, server);
  // Four busy connections: a request begun, never finished.
  const busy = [];
  for (let i = 0; i < 4; i++) busy.push(await holdOpen(port, 'GET / HTTP/1.1\r\nHost: a\r\n', 0));
  const fifth = await holdOpen(port, 'GET / HTTP/1.1\r\nHost: a\r\n\r\n', 0);
  await waitFor(() => fifth.closed, 5000, 'the fifth connection to be closed');
  assert.match(fifth.data, /^HTTP\/1\.1 429 /);
  assert.match(server.stderr, /event=dataplane_connection_refused client=127\.0\.0\.1 limit=per_client/);
  busy.forEach((b) => b.socket.destroy());

  // Four kept-alive connections, each idle after one answer: a fifth client connection is
  // served, the oldest idle one closed for it.
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  t.after(() => agent.destroy());
  const get = () => new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, agent }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); })
      .on('error', reject);
  });
  await waitFor(async () => (await Promise.all([get(), get(), get(), get()])).every((s) => s === 200), 5000, 'four served');
  const fresh = await holdOpen(port, 'GET / HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n', 0);
  await waitFor(() => fresh.closed, 5000, 'the answer');
  assert.match(fresh.data, /^HTTP\/1\.1 200 /);
});

test('a client that never finishes its headers is cut off after the header timeout', async (t) => {
  const server = await Server.start({ args: ['--dataplane-header-timeout', '1s'] });
  t.after(() => server.stop());
  const port = await listener(t, server);
  const slow = await holdOpen(port, 'GET / HTTP/1.1\r\nHost: a\r\nX-Slow: ', 0);
  // The default is 30 s; this waits for the 1 s setting with room for a loaded machine.
  await waitFor(() => slow.closed, 15000, 'the slow client to be cut off');
  assert.equal(slow.data, '');
});
