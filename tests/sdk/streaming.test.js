// Bodies stream through a listener in both directions: 1 GiB uploads (with a Content-Length and
// chunked) and 1 GiB downloads (chunked, and with a Content-Length) pass through openalb to and from a real
// server byte for byte, while the server process's memory stays flat — the proxy holds one
// piece at a time and reads the next only once the other side took the last (backpressure).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const { Server } = require('./harness');

const TOTAL = Number(process.env.OPENALB_STREAM_BYTES || 1024 * 1024 * 1024);
const piece = crypto.randomBytes(1024 * 1024);

function rssMiB(pid) {
  return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
}

// Writes TOTAL bytes (piece after piece) to `out`, honouring its backpressure.
async function pump(out) {
  for (let sent = 0; sent < TOTAL; sent += piece.length) {
    const part = piece.subarray(0, Math.min(piece.length, TOTAL - sent));
    if (!out.write(part)) await new Promise((r) => out.once('drain', r));
  }
  out.end();
}

function expectedDigest() {
  const hash = crypto.createHash('sha256');
  for (let sent = 0; sent < TOTAL; sent += piece.length) hash.update(piece.subarray(0, Math.min(piece.length, TOTAL - sent)));
  return hash.digest('hex');
}

test('a 1 GiB upload and download stream through the proxy with flat memory', async (t) => {
  const server = await Server.start();
  const backend = http.createServer((req, res) => {
    if (req.method === 'POST') {
      const hash = crypto.createHash('sha256');
      let bytes = 0;
      req.on('data', (d) => { bytes += d.length; hash.update(d); });
      req.on('end', () => res.end(JSON.stringify({ bytes, digest: hash.digest('hex') })));
      return;
    }
    if (req.url === '/sized') res.setHeader('Content-Length', TOTAL);
    pump(res);
  });
  await new Promise((r) => backend.listen(0, '127.0.0.1', r));
  t.after(async () => {
    await server.stop();
    await new Promise((r) => { backend.closeAllConnections(); backend.close(r); });
  });
  const { port } = await server.listener({ protocol: 'HTTP', port: 80, backendPort: backend.address().port });
  const digest = expectedDigest();
  const baseline = rssMiB(server.proc.pid);
  let peak = baseline;
  const sampler = setInterval(() => { peak = Math.max(peak, rssMiB(server.proc.pid)); }, 50);
  t.after(() => clearInterval(sampler));

  // Uploads with a Content-Length and chunked (Node sends chunked when it is given none).
  for (const headers of [{ 'Content-Length': TOTAL }, {}]) {
    const uploaded = await new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/upload',
        headers: { 'Content-Type': 'application/octet-stream', ...headers } }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      });
      req.on('error', reject);
      pump(req);
    });
    assert.equal(uploaded.status, 200, JSON.stringify(headers));
    assert.deepEqual(JSON.parse(uploaded.body), { bytes: TOTAL, digest }, JSON.stringify(headers));
  }

  // Downloads: chunked (no Content-Length) and sized.
  for (const path of ['/chunked', '/sized']) {
    const got = await new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path }, (res) => {
        const hash = crypto.createHash('sha256');
        let bytes = 0;
        res.on('data', (d) => { bytes += d.length; hash.update(d); });
        res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, bytes, digest: hash.digest('hex') }));
      }).on('error', reject);
    });
    assert.equal(got.status, 200, path);
    assert.equal(got.bytes, TOTAL, path);
    assert.equal(got.digest, digest, path);
    if (path === '/chunked') assert.equal(got.headers['transfer-encoding'], 'chunked');
    else assert.equal(Number(got.headers['content-length']), TOTAL);
  }
  clearInterval(sampler);
  const grown = peak - baseline;
  assert.ok(grown < 64, `the server grew ${grown.toFixed(1)} MiB moving ${TOTAL >> 20} MiB each way`);
});
