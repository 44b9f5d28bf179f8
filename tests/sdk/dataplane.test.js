// The TLS data plane as a client meets it: real handshakes against the listener's port,
// the certificate chosen by SNI, and certificate changes taking effect live, without a
// restart and without dropping the connections already open.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const tls = require('node:tls');
const { Server, waitFor, rejection } = require('./harness');

function call(server, action, params) {
  return server.pop().request(action, params, { method: 'POST' });
}

async function waitRunning(server, listenerId, status = 'Running') {
  await waitFor(async () => (await call(server, 'GetListenerAttribute', { ListenerId: listenerId })).ListenerStatus === status,
    10000, `${listenerId} ${status}`);
}

async function waitJob(server, jobId) {
  await waitFor(async () => (await call(server, 'ListAsynJobs', { 'JobIds.1': jobId })).Jobs[0].Status === 'Succeeded',
    10000, `job ${jobId}`);
}

// Opens a TLS connection and returns the socket once the handshake is done.
function connect(port, servername, extra = {}) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false, ...extra },
      () => resolve(socket));
    socket.once('error', reject);
  });
}

// The subject CN of the certificate served for `servername` (undefined: no SNI).
async function servedName(port, servername, extra) {
  const socket = await connect(port, servername, extra);
  const cn = socket.getPeerCertificate().subject.CN;
  socket.destroy();
  return cn;
}

// One HTTP/1.1 request on an open TLS socket; resolves with the raw response text.
function request(socket) {
  return new Promise((resolve, reject) => {
    let data = '';
    const onData = (d) => {
      data += d;
      const head = data.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(data);
      if (head >= 0 && length && data.length >= head + 4 + Number(length[1])) {
        socket.off('data', onData);
        socket.off('error', reject);
        resolve(data);
      }
    };
    socket.on('data', onData);
    socket.on('error', reject);
    socket.write('GET / HTTP/1.1\r\nHost: a.example.com\r\n\r\n');
  });
}

async function setUp(server) {
  const lb = (await call(server, 'CreateLoadBalancer', { LoadBalancerName: 'dp', LoadBalancerEdition: 'Standard' })).LoadBalancerId;
  await waitFor(async () => (await call(server, 'GetLoadBalancerAttribute', { LoadBalancerId: lb })).LoadBalancerStatus === 'Active', 10000, 'lb');
  const ids = {};
  for (const name of ['default.test', 'a.example.com', '*.wild.test']) ids[name] = await server.uploadCertificate(name);
  ids['rsa:a.example.com'] = await server.uploadCertificate('a.example.com', { rsa: true });
  const { ListenerId: listener } = await call(server, 'CreateListener', {
    LoadBalancerId: lb, ListenerProtocol: 'HTTPS', ListenerPort: 443, 'Certificates.1.CertificateId': ids['default.test'],
    // TLS 1.2 and 1.3 only (ALB's default policy has 1.0 and 1.1 and no 1.3).
    SecurityPolicyId: 'tls_cipher_policy_1_2_strict_with_1_3',
  });
  await waitRunning(server, listener);
  const { JobId } = await call(server, 'AssociateAdditionalCertificatesWithListener', {
    ListenerId: listener, 'Certificates.1.CertificateId': ids['a.example.com'],
    'Certificates.2.CertificateId': ids['*.wild.test'], 'Certificates.3.CertificateId': ids['rsa:a.example.com'],
  });
  await waitJob(server, JobId);
  return { lb, listener, ids, port: 443 + server.portOffset };
}

test('the certificate is chosen by SNI: exact, one-label wildcard, then the default', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const { port } = await setUp(server);
  assert.equal(await servedName(port, 'a.example.com'), 'a.example.com');
  assert.equal(await servedName(port, 'A.EXAMPLE.COM'), 'a.example.com');
  assert.equal(await servedName(port, 'x.wild.test'), '*.wild.test');
  assert.equal(await servedName(port, 'y.x.wild.test'), 'default.test');
  assert.equal(await servedName(port, 'wild.test'), 'default.test');
  assert.equal(await servedName(port, 'unknown.test'), 'default.test');
  assert.equal(await servedName(port, undefined), 'default.test');  // no SNI at all
  // Both an ECDSA and an RSA certificate cover a.example.com: ECDSA unless the client
  // cannot verify it.
  const ecdsa = await connect(port, 'a.example.com');
  assert.equal(ecdsa.getPeerCertificate().pubkey.length, 65);  // an uncompressed P-256 point
  ecdsa.destroy();
  const rsa = await connect(port, 'a.example.com', { sigalgs: 'rsa_pss_rsae_sha256:rsa_pkcs1_sha256' });
  assert.equal(rsa.getPeerCertificate().bits, 2048);
  rsa.destroy();
  for (const maxVersion of ['TLSv1.2', 'TLSv1.3']) {
    const socket = await connect(port, 'a.example.com', { maxVersion, minVersion: maxVersion });
    assert.equal(socket.getProtocol(), maxVersion);
    socket.destroy();
  }
  await rejection(() => connect(port, 'a.example.com', { maxVersion: 'TLSv1.1', minVersion: 'TLSv1' }));
});

test('a dissociated certificate stops being served live; open connections are not dropped', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const { listener, ids, port } = await setUp(server);
  const open = await connect(port, 'a.example.com');
  assert.match(await request(open), /^HTTP\/1\.1 503 /);
  // A request with a body is answered too, on the same connection.
  const withBody = await new Promise((resolve, reject) => {
    let data = '';
    const onData = (d) => {
      data += d;
      if (/\r\n\r\n[\s\S]*configured\.\n$/.test(data)) {
        open.off('data', onData);
        resolve(data);
      }
    };
    open.on('data', onData);
    open.once('error', reject);
    open.write('POST /upload HTTP/1.1\r\nHost: a.example.com\r\nContent-Length: 5\r\n\r\nhello');
  });
  assert.match(withBody, /^HTTP\/1\.1 503 /);

  const { JobId } = await call(server, 'DissociateAdditionalCertificatesFromListener', {
    ListenerId: listener, 'Certificates.1.CertificateId': ids['a.example.com'],
    'Certificates.2.CertificateId': ids['rsa:a.example.com'],
  });
  await waitJob(server, JobId);
  assert.equal(await servedName(port, 'a.example.com'), 'default.test');
  assert.equal(await servedName(port, 'x.wild.test'), '*.wild.test');
  // The connection opened before the change still works, on the same session.
  assert.match(await request(open), /^HTTP\/1\.1 503 /);
  assert.equal(open.getPeerCertificate().subject.CN, 'a.example.com');
  open.destroy();

  const again = await call(server, 'AssociateAdditionalCertificatesWithListener', {
    ListenerId: listener, 'Certificates.1.CertificateId': ids['a.example.com'],
  });
  await waitJob(server, again.JobId);
  assert.equal(await servedName(port, 'a.example.com'), 'a.example.com');
});

test('stopping or deleting a listener closes its port; starting it opens it again', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const { listener, port } = await setUp(server);
  await call(server, 'StopListener', { ListenerId: listener });
  await waitRunning(server, listener, 'Stopped');
  const refused = await rejection(() => connect(port, 'a.example.com'));
  assert.equal(refused.code, 'ECONNREFUSED');
  await call(server, 'StartListener', { ListenerId: listener });
  await waitRunning(server, listener);
  assert.equal(await servedName(port, 'a.example.com'), 'a.example.com');
  await call(server, 'DeleteListener', { ListenerId: listener });
  await waitFor(async () => (await rejection(() => connect(port, 'x.wild.test')).catch(() => null))?.code === 'ECONNREFUSED',
    10000, 'the port to close');
});

test('a listener whose port is taken fails its job clearly and is Stopped', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const { port } = await setUp(server);
  const lb = (await call(server, 'CreateLoadBalancer', { LoadBalancerName: 'two', LoadBalancerEdition: 'Basic' })).LoadBalancerId;
  await waitFor(async () => (await call(server, 'GetLoadBalancerAttribute', { LoadBalancerId: lb })).LoadBalancerStatus === 'Active', 10000, 'lb');
  const cert = await server.uploadCertificate('two.test');
  const { ListenerId, JobId } = await call(server, 'CreateListener', {
    LoadBalancerId: lb, ListenerProtocol: 'HTTPS', ListenerPort: 443, 'Certificates.1.CertificateId': cert,
  });
  await waitFor(async () => (await call(server, 'ListAsynJobs', { 'JobIds.1': JobId })).Jobs[0].Status === 'Failed', 10000, 'the job to fail');
  const job = (await call(server, 'ListAsynJobs', { 'JobIds.1': JobId })).Jobs[0];
  assert.equal(job.ErrorCode, 'OperationFailed.ListenerPort');
  assert.match(job.ErrorMessage, new RegExp(`${port}`));
  assert.equal((await call(server, 'GetListenerAttribute', { ListenerId })).ListenerStatus, 'Stopped');
  assert.equal(await servedName(port, 'a.example.com'), 'a.example.com');  // the first still serves
});

test('a restart serves every running listener again', async () => {
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openalb-dp-'));
  try {
    const first = await Server.start({ dataDir });
    const { listener } = await setUp(first);
    await first.kill9();
    const second = await Server.start({ dataDir });
    try {
      const port = 443 + second.portOffset;
      await waitFor(async () => (await servedName(port, 'x.wild.test').catch(() => null)) === '*.wild.test', 10000, 'serving after restart');
      assert.equal(await servedName(port, 'a.example.com'), 'a.example.com');
      assert.equal((await call(second, 'GetListenerAttribute', { ListenerId: listener })).ListenerStatus, 'Running');
    } finally {
      await second.stop();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

// An HTTP server answering "ok", to forward to.
async function startBackend() {
  const backend = http.createServer((req, res) => res.end('ok'));
  backend.keepAliveTimeout = 60000;
  await new Promise((r) => backend.listen(0, '127.0.0.1', r));
  return backend;
}

test('32 keep-alive clients see no failure while 200 associate/dissociate cycles run', async (t) => {
  const server = await Server.start();
  const backends = [await startBackend(), await startBackend()];
  t.after(async () => {
    await server.stop();
    for (const b of backends) { b.closeAllConnections(); b.close(); }
  });
  const { listener, ids, port } = await setUp(server);
  // The listener forwards to two real servers, so every request crosses the proxy.
  const { ServerGroupId: group, JobId: created } = await call(server, 'CreateServerGroup', { ServerGroupName: 'web', ServerGroupType: 'Ip' });
  await waitJob(server, created);
  const servers = { ServerGroupId: group };
  backends.forEach((b, i) => Object.assign(servers, {
    [`Servers.${i + 1}.ServerId`]: '127.0.0.1', [`Servers.${i + 1}.ServerType`]: 'Ip', [`Servers.${i + 1}.Port`]: b.address().port,
  }));
  await waitJob(server, (await call(server, 'AddServersToServerGroup', servers)).JobId);
  await waitJob(server, (await call(server, 'UpdateListenerAttribute', {
    ListenerId: listener, 'DefaultActions.1.Type': 'ForwardGroup',
    'DefaultActions.1.ForwardGroupConfig.ServerGroupTuples.1.ServerGroupId': group,
  })).JobId);
  let stop = false;
  const counts = { requests: 0, handshakes: 0, failures: [] };
  const names = ['a.example.com', 'x.wild.test', 'default.test', undefined];
  const clients = Array.from({ length: 32 }, async (_, i) => {
    while (!stop) {
      let socket;
      try {
        socket = await connect(port, names[i % names.length]);
        ++counts.handshakes;
        for (let k = 0; k < 20 && !stop; ++k) {
          const response = await request(socket);
          if (!response.startsWith('HTTP/1.1 200 ') || !response.endsWith('\r\n\r\nok')) {
            throw new Error(`unexpected response ${response.slice(0, 40)}`);
          }
          ++counts.requests;
        }
      } catch (e) {
        counts.failures.push(e.message);
      } finally {
        if (socket) socket.destroy();
      }
    }
  });
  for (let cycle = 0; cycle < 200; ++cycle) {
    const action = cycle % 2 === 0 ? 'DissociateAdditionalCertificatesFromListener' : 'AssociateAdditionalCertificatesWithListener';
    const { JobId } = await call(server, action, { ListenerId: listener, 'Certificates.1.CertificateId': ids['a.example.com'] });
    await waitJob(server, JobId);
  }
  stop = true;
  await Promise.all(clients);
  t.diagnostic(`handshakes ${counts.handshakes}, requests ${counts.requests}, failures ${counts.failures.length}`);
  assert.deepEqual(counts.failures, []);
  assert.ok(counts.handshakes >= 32 && counts.requests >= 200, JSON.stringify(counts));
});
