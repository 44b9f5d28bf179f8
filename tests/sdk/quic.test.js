// QUIC listeners serve HTTP/3, checked with Debian's ngtcp2 client (gtlsclient, GnuTLS): a
// request reaches the listener's server group with the forwarding headers HTTPS requests get
// (X-Forwarded-Proto https), a 400 KB upload arrives byte for byte (past the initial flow
// control windows), twenty requests share one connection, a forwarding rule answers at the
// listener, the listener's ACL refuses a client before any handshake, and requests reach an
// HTTPS server group over TLS and plain servers over kept-alive connections.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const crypto = require('node:crypto');
const { spawn, spawnSync } = require('node:child_process');
const { Server, model, makeCertificate } = require('./harness');
const { presented, probeMissing } = require('./quic_probe');

const CLIENT = 'gtlsclient';

function available() {
  return spawnSync(CLIENT, ['--help'], { encoding: 'utf8' }).status === 0;
}

// Runs one gtlsclient connection (asynchronously: the test's own servers answer meanwhile);
// resolves with its exit status and the downloaded bodies by file name.
function h3(port, uris, { sni = 'www.quic.test', method, data, streams } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openalb-h3-'));
  const args = ['-q', '--exit-on-all-streams-close', `--sni=${sni}`, `--download=${dir}`, '--timeout=3s'];
  if (method) args.push('-m', method);
  if (data) args.push('-d', data);
  if (streams) args.push('-n', String(streams));
  const child = spawn(CLIENT, [...args, '127.0.0.1', String(port), ...uris.map((u) => `https://${sni}:${port}${u}`)],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve) => {
    child.on('close', (status) => {
      const bodies = {};
      for (const name of fs.readdirSync(dir)) bodies[name] = fs.readFileSync(path.join(dir, name), 'utf8');
      fs.rmSync(dir, { recursive: true, force: true });
      resolve({ status, bodies, stderr });
    });
  });
}

async function echoBackend(t) {
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({
        method: req.method, url: req.url, xff: req.headers['x-forwarded-for'],
        proto: req.headers['x-forwarded-proto'], host: req.headers.host,
        sha256: crypto.createHash('sha256').update(body).digest('hex'), size: body.length,
      }));
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => server.close(r)));
  return server.address().port;
}

test('a QUIC listener forwards HTTP/3 requests to its servers as HTTPS does', { skip: !available() && 'gtlsclient (ngtcp2-client) is not installed' }, async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const certificateId = await server.uploadCertificate('www.quic.test');
  const { port } = await server.listener({ protocol: 'QUIC', port: 443, certificateId, backendPort: await echoBackend(t) });

  const get = await h3(port, ['/hello?x=1']);
  assert.equal(get.status, 0, get.stderr);
  const seen = JSON.parse(get.bodies['hello?x=1'] || get.bodies.hello);
  assert.equal(seen.method, 'GET');
  assert.equal(seen.url, '/hello?x=1');
  assert.equal(seen.xff, '127.0.0.1');
  assert.equal(seen.proto, 'https');
  assert.equal(seen.host, `www.quic.test:${port}`);

  // 400 KB up: more than the stream's and connection's first windows.
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'openalb-h3-body-')), 'body');
  const payload = crypto.randomBytes(400 * 1024);
  fs.writeFileSync(file, payload);
  const post = await h3(port, ['/upload'], { method: 'POST', data: file });
  assert.equal(post.status, 0, post.stderr);
  const uploaded = JSON.parse(post.bodies.upload);
  assert.equal(uploaded.method, 'POST');
  assert.equal(uploaded.size, payload.length);
  assert.equal(uploaded.sha256, crypto.createHash('sha256').update(payload).digest('hex'));

  // Twenty requests on one connection.
  const many = await h3(port, ['/many'], { streams: 20 });
  assert.equal(many.status, 0, many.stderr);
  assert.equal(JSON.parse(many.bodies.many).url, '/many');
});

test('a QUIC listener\'s rules answer at the listener, and its ACL refuses a client before the handshake', { skip: !available() && 'gtlsclient (ngtcp2-client) is not installed' }, async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const certificateId = await server.uploadCertificate('www.quic.test');
  const { listenerId, port } = await server.listener({ protocol: 'QUIC', port: 8443, certificateId, backendPort: await echoBackend(t) });
  await server.waitJob((await server.call('CreateRule', {
    ListenerId: listenerId, RuleName: 'fixed', Priority: 1,
    'RuleConditions.1.Type': 'Path', 'RuleConditions.1.PathConfig.Values.1': '/fixed',
    'RuleActions.1.Order': 1, 'RuleActions.1.Type': 'FixedResponse',
    'RuleActions.1.FixedResponseConfig.HttpCode': '200', 'RuleActions.1.FixedResponseConfig.Content': 'from the rule',
    'RuleActions.1.FixedResponseConfig.ContentType': 'text/plain',
  })).JobId);
  const fixed = await h3(port, ['/fixed']);
  assert.equal(fixed.status, 0, fixed.stderr);
  assert.equal(fixed.bodies.fixed, 'from the rule');

  // A Black ACL listing 127.0.0.1: no handshake at all (the client times out).
  const alb = server.alb();
  const { body: acl } = await alb.createAcl(model('CreateAclRequest', { AclName: 'quic-block' }));
  await server.waitJob(acl.jobId);
  await server.waitJob((await alb.addEntriesToAcl(model('AddEntriesToAclRequest', { AclId: acl.aclId, AclEntries: [{ Entry: '127.0.0.1/32' }] }))).body.jobId);
  await server.waitJob((await alb.associateAclsWithListener(model('AssociateAclsWithListenerRequest', { ListenerId: listenerId, AclIds: [acl.aclId], AclType: 'Black' }))).body.jobId);
  const refused = await h3(port, ['/hello']);
  assert.deepEqual(refused.bodies, {}, 'no answer: the client gave up');
  await server.waitJob((await alb.dissociateAclsFromListener(model('DissociateAclsFromListenerRequest', { ListenerId: listenerId, AclIds: [acl.aclId] }))).body.jobId);
  const admitted = await h3(port, ['/hello']);
  assert.equal(admitted.status, 0, admitted.stderr);
  assert.equal(JSON.parse(admitted.bodies.hello).url, '/hello');
});

test('an HTTPS listener with QuicConfig advertises its QUIC listener by Alt-Svc, and clients reach it there', { skip: !available() && 'gtlsclient (ngtcp2-client) is not installed' }, async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const certificateId = await server.uploadCertificate('www.quic.test');
  const https = await server.listener({ protocol: 'HTTPS', port: 443, certificateId, backendPort: await echoBackend(t) });
  const quic = await server.call('CreateListener', {
    LoadBalancerId: https.loadBalancerId, ListenerProtocol: 'QUIC', ListenerPort: 4433, 'Certificates.1.CertificateId': certificateId,
    'DefaultActions.1.Type': 'ForwardGroup', 'DefaultActions.1.ForwardGroupConfig.ServerGroupTuples.1.ServerGroupId': https.serverGroupId,
  });
  await server.waitJob(quic.JobId);
  const answerOf = () => new Promise((resolve, reject) => {
    require('node:https').get({ host: '127.0.0.1', port: https.port, path: '/', servername: 'www.quic.test', rejectUnauthorized: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers));
    }).on('error', reject);
  });
  assert.equal((await answerOf())['alt-svc'], undefined, 'no upgrade until it is configured');

  const bad = await require('./harness').rejection(() => server.call('UpdateListenerAttribute', {
    ListenerId: https.listenerId, 'QuicConfig.QuicUpgradeEnabled': 'true', 'QuicConfig.QuicListenerId': https.listenerId }));
  assert.equal(bad.data.Code, 'InvalidParameter');
  await server.waitJob((await server.call('UpdateListenerAttribute', {
    ListenerId: https.listenerId, 'QuicConfig.QuicUpgradeEnabled': 'true', 'QuicConfig.QuicListenerId': quic.ListenerId })).JobId);
  const attribute = await server.call('GetListenerAttribute', { ListenerId: https.listenerId });
  assert.deepEqual(JSON.parse(JSON.stringify(attribute.QuicConfig)), { QuicUpgradeEnabled: true, QuicListenerId: quic.ListenerId });
  const advertised = (await answerOf())['alt-svc'];
  assert.equal(advertised, `h3=":${4433 + server.portOffset}"; ma=86400`);
  const port = Number(/:(\d+)/.exec(advertised)[1]);
  const upgraded = await h3(port, ['/via-alt-svc']);
  assert.equal(upgraded.status, 0, upgraded.stderr);
  assert.equal(JSON.parse(upgraded.bodies['via-alt-svc']).proto, 'https');
});

test('HTTP/3 requests reach an HTTPS server group over TLS, and plain servers over kept-alive connections', { skip: probeMissing }, async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const certificateId = await server.uploadCertificate('www.quic.test');

  // A plain server counting the connections it was given.
  let plainConnections = 0;
  const plain = http.createServer((req, res) => res.end(`plain ${req.url}`));
  plain.on('connection', () => { ++plainConnections; });
  plain.keepAliveTimeout = 60000;
  await new Promise((r) => plain.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => { plain.closeAllConnections(); plain.close(r); }));
  const { listenerId, port } = await server.listener({ protocol: 'QUIC', port: 443, certificateId, backendPort: plain.address().port });
  const twenty = Array.from({ length: 20 }, (_, i) => `/p/${i}`);
  const { answers } = await presented(port, 'www.quic.test', { gets: twenty });
  assert.deepEqual(answers.map((a) => a.body), twenty.map((p) => `plain ${p}`));
  assert.ok(plainConnections <= 2, `20 requests one after another took ${plainConnections} server connections`);

  // An HTTPS server group: TLS to the server, the request's host as SNI.
  const { cert, key } = makeCertificate('backend.test');
  const seen = [];
  const tlsServer = require('node:https').createServer({ cert, key }, (req, res) => {
    seen.push(req.socket.servername);
    res.end(`tls ${req.url}`);
  });
  await new Promise((r) => tlsServer.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => { tlsServer.closeAllConnections(); tlsServer.close(r); }));
  const { ServerGroupId: groupId, JobId: groupJob } = await server.call('CreateServerGroup',
    { ServerGroupName: 'tls', ServerGroupType: 'Ip', VpcId: 'vpc-1', Protocol: 'HTTPS' });
  await server.waitJob(groupJob);
  await server.waitJob((await server.call('AddServersToServerGroup', { ServerGroupId: groupId,
    'Servers.1.ServerId': '127.0.0.1', 'Servers.1.ServerType': 'Ip', 'Servers.1.Port': tlsServer.address().port })).JobId);
  await server.waitJob((await server.call('UpdateListenerAttribute', { ListenerId: listenerId,
    'DefaultActions.1.Type': 'ForwardGroup', 'DefaultActions.1.ForwardGroupConfig.ServerGroupTuples.1.ServerGroupId': groupId })).JobId);
  const overTls = await presented(port, 'www.quic.test', { gets: ['/t/1', '/t/2'] });
  assert.deepEqual(overTls.answers.map((a) => [a.status, a.body]), [[200, 'tls /t/1'], [200, 'tls /t/2']]);
  assert.deepEqual(seen, ['www.quic.test', 'www.quic.test']);
});

test('a 3 MB answer arrives byte for byte over HTTP/3 (packets sent in GSO batches)', { skip: !available() && 'gtlsclient (ngtcp2-client) is not installed' }, async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const payload = crypto.randomBytes(3 * 1024 * 1024);
  const backend = http.createServer((req, res) => res.end(payload));
  await new Promise((r) => backend.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => backend.close(r)));
  const certificateId = await server.uploadCertificate('www.quic.test');
  const { port } = await server.listener({ protocol: 'QUIC', port: 443, certificateId, backendPort: backend.address().port });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openalb-h3-big-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const child = spawn(CLIENT, ['-q', '--exit-on-all-streams-close', '--sni=www.quic.test', `--download=${dir}`, '--timeout=5s',
    '127.0.0.1', String(port), `https://www.quic.test:${port}/big`], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('close', resolve));
  const got = fs.readFileSync(path.join(dir, 'big'));
  assert.equal(got.length, payload.length);
  assert.equal(crypto.createHash('sha256').update(got).digest('hex'), crypto.createHash('sha256').update(payload).digest('hex'));
});
