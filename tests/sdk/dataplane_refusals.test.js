// What a client of a listener meets when it sends too much, and what an operator reads at
// start-up: a request with oversized headers is answered 431, and a long upload (which streams
// to a server) to a listener with none 503 — and the client actually reads that answer, on
// HTTPS and HTTP — and the expiry warnings after a restart name
// only the certificates that really expire soon, with their real days left.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const tls = require('node:tls');
const { Server, waitFor } = require('./harness');

// Opens a connection (TLS or plain), writes `head` then `bodyBytes` bytes of body as fast as
// the socket takes them, and resolves with the response text the client managed to read,
// or with the error that ended the connection first.
function send(port, { secure, head, bodyBytes = 0 }) {
  return new Promise((resolve) => {
    let data = '';
    let settled = false;
    const done = (outcome) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      resolve(outcome);
    };
    const socket = secure
      ? tls.connect({ host: '127.0.0.1', port, servername: 'big.test', rejectUnauthorized: false })
      : net.connect({ host: '127.0.0.1', port });
    socket.on(secure ? 'secureConnect' : 'connect', async () => {
      socket.write(head);
      const chunk = Buffer.alloc(64 * 1024, 'x');
      for (let sent = 0; sent < bodyBytes && !settled; sent += chunk.length) {
        if (!socket.write(chunk.subarray(0, Math.min(chunk.length, bodyBytes - sent)))) {
          await new Promise((r) => {
            const go = () => { socket.off('drain', go); socket.off('close', go); r(); };
            socket.on('drain', go);
            socket.on('close', go);
          });
        }
      }
    });
    socket.on('data', (d) => {
      data += d;
      const end = data.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(data);
      if (end >= 0 && length && data.length >= end + 4 + Number(length[1])) done({ response: data });
    });
    socket.on('error', (error) => done({ response: data, error: error.code }));
    socket.on('close', () => done({ response: data, error: 'closed' }));
  });
}

test('oversized headers are answered 431, long uploads with nowhere to go 503, and the client reads the answer', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const certificate = await server.uploadCertificate('big.test');
  await server.listener({ protocol: 'HTTPS', port: 443, certificateId: certificate });
  await server.listener({ protocol: 'HTTP', port: 80 });
  for (const [secure, port] of [[true, 443 + server.portOffset], [false, 80 + server.portOffset]]) {
    const scheme = secure ? 'HTTPS' : 'HTTP';
    const filler = Array.from({ length: 64 }, (_, i) => `X-Filler-${i}: ${'f'.repeat(1000)}\r\n`).join('');
    const big = await send(port, { secure, head: `GET / HTTP/1.1\r\nHost: big.test\r\n${filler}\r\n` });
    assert.match(big.response, /^HTTP\/1\.1 431 /, `${scheme}: 64 KiB of headers: ${JSON.stringify(big)}`);
    for (let i = 0; i < 10; i++) {
      const body = 9 * 1024 * 1024;
      const outcome = await send(port, {
        secure, bodyBytes: body,
        head: `POST /upload HTTP/1.1\r\nHost: big.test\r\nContent-Length: ${body}\r\n\r\n`,
      });
      // A long upload streams to a server; with none to take it, 503 before it is sent.
      assert.match(outcome.response, /^HTTP\/1\.1 503 /, `${scheme} upload ${i}: ${JSON.stringify(outcome)}`);
      const chunked = await send(port, {
        secure, bodyBytes: 0,
        head: `POST /upload HTTP/1.1\r\nHost: big.test\r\nTransfer-Encoding: chunked\r\n\r\n${'100000\r\n' + 'y'.repeat(0x100000) + '\r\n'}`.repeat(1)
          + `${'100000\r\n' + 'y'.repeat(0x100000) + '\r\n'}`.repeat(9),
      });
      assert.match(chunked.response, /^HTTP\/1\.1 503 /, `${scheme} chunked upload ${i}: ${JSON.stringify(chunked).slice(0, 300)}`);
    }
  }
});

test('after a restart, expiry warnings name only certificates that expire within 30 days', async (t) => {
  let server = await Server.start();
  const dataDir = server.dataDir;
  t.after(() => server.stop());
  const lasting = await server.uploadCertificate('lasting.test', { days: 90 });
  const soon = await server.uploadCertificate('soon.test', { days: 10 });
  const { listenerId: id } = await server.listener({ protocol: 'HTTPS', port: 443, certificateId: lasting });
  const { JobId } = await server.call('AssociateAdditionalCertificatesWithListener',
    { ListenerId: id, 'Certificates.1.CertificateId': soon });
  await server.waitJob(JobId);
  server.ownsDataDir = false;
  await server.stop();
  server = await Server.start({ dataDir, args: ['--listener-port-offset', String(server.portOffset)] });
  server.ownsDataDir = true;
  const warnings = await waitFor(() => {
    const lines = server.stderr.split('\n').filter((l) => l.includes('event=certificate_expiring'));
    return lines.length > 0 && lines;
  }, 10000, 'an expiry warning');
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0], new RegExp(`certificate_id=${soon} days_left=(9|10)\\b`));
});
