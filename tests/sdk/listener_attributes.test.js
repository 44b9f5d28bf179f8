// Listener attributes as a user sets them through the official V3 SDK — IdleTimeout,
// RequestTimeout, GzipEnabled and XForwardedForConfig — shown back by GetListenerAttribute and
// ListListeners as set, and honoured by the data plane: the forwarding headers a server
// receives, 504 after RequestTimeout, gzip for clients that take it, kept-alive connections
// closed after IdleTimeout; each changed live by UpdateListenerAttribute.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const net = require('node:net');
const zlib = require('node:zlib');
const Alb = require('@alicloud/alb20200616');
const { Server, rejection } = require('./harness');

const bigText = 'openalb compresses this line. '.repeat(200);

async function startBackend() {
  const seen = [];
  const server = http.createServer((req, res) => {
    seen.push({ url: req.url, headers: req.headers });
    if (req.method === 'POST') {
      let bytes = 0;
      req.on('data', (d) => (bytes += d.length));
      req.on('end', () => res.end(`got ${bytes}`));
      return;
    }
    if (req.url === '/slow') {
      setTimeout(() => res.end('late'), 3000);
      return;
    }
    if (req.url === '/big') {
      res.setHeader('Content-Type', 'text/plain; charset=utf-8');
      res.end(bigText);
      return;
    }
    if (req.url === '/png') {
      res.setHeader('Content-Type', 'image/png');
      res.end(Buffer.alloc(4096, 7));
      return;
    }
    res.end('ok');
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { seen, port: server.address().port, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

function request(port, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, headers: { Host: 'site.test', ...headers }, agent: false }, (res) => {
      const chunks = [];
      res.on('data', (d) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function setUp(t) {
  const server = await Server.start();
  const backend = await startBackend();
  t.after(async () => {
    await server.stop();
    await backend.close();
  });
  const alb = server.alb();
  const { LoadBalancerId: loadBalancerId, JobId: lbJob } = await server.call('CreateLoadBalancer',
    { LoadBalancerName: 'attrs', LoadBalancerEdition: 'Standard' });
  await server.waitJob(lbJob);
  const group = await server.call('CreateServerGroup', { ServerGroupName: 'attrs', ServerGroupType: 'Ip', VpcId: 'vpc-1' });
  await server.waitJob(group.JobId);
  await server.waitJob((await server.call('AddServersToServerGroup', {
    ServerGroupId: group.ServerGroupId, 'Servers.1.ServerId': '127.0.0.1', 'Servers.1.ServerType': 'Ip', 'Servers.1.Port': backend.port,
  })).JobId);
  const { body } = await alb.createListener(new Alb.CreateListenerRequest({
    loadBalancerId, listenerProtocol: 'HTTP', listenerPort: 80, idleTimeout: 2, requestTimeout: 1, gzipEnabled: true,
    XForwardedForConfig: new Alb.CreateListenerRequestXForwardedForConfig({
      XForwardedForEnabled: true, XForwardedForProtoEnabled: false, XForwardedForClientSrcPortEnabled: true,
      XForwardedForSLBIdEnabled: true, XForwardedForSLBPortEnabled: true, XForwardedForHostEnabled: true,
    }),
    defaultActions: [new Alb.CreateListenerRequestDefaultActions({
      type: 'ForwardGroup',
      forwardGroupConfig: new Alb.CreateListenerRequestDefaultActionsForwardGroupConfig({
        serverGroupTuples: [new Alb.CreateListenerRequestDefaultActionsForwardGroupConfigServerGroupTuples({ serverGroupId: group.ServerGroupId })],
      }),
    })],
  }));
  await server.waitJob(body.jobId);
  return { server, alb, backend, loadBalancerId, listenerId: body.listenerId, port: 80 + server.portOffset };
}

async function update(server, alb, listenerId, fields) {
  const { body } = await alb.updateListenerAttribute(new Alb.UpdateListenerAttributeRequest({ listenerId, ...fields }));
  await server.waitJob(body.jobId);
}

test('listener attributes are shown as set and honoured, and change live', async (t) => {
  const { server, alb, backend, loadBalancerId, listenerId, port } = await setUp(t);

  const { body: shown } = await alb.getListenerAttribute(new Alb.GetListenerAttributeRequest({ listenerId }));
  assert.equal(shown.idleTimeout, 2);
  assert.equal(shown.requestTimeout, 1);
  assert.equal(shown.gzipEnabled, true);
  assert.equal(shown.XForwardedForConfig.XForwardedForEnabled, true);
  assert.equal(shown.XForwardedForConfig.XForwardedForProtoEnabled, false);
  assert.equal(shown.XForwardedForConfig.XForwardedForClientSrcPortEnabled, true);
  assert.equal(shown.XForwardedForConfig.XForwardedForProcessingMode, 'append');
  // AclConfig is always there (Terraform's ACL attachment reads it), empty without ACLs.
  assert.deepEqual(shown.aclConfig.aclRelations, []);
  const { body: listed } = await alb.listListeners(new Alb.ListListenersRequest({ listenerIds: [listenerId] }));
  assert.equal(listed.listeners[0].idleTimeout, 2);
  assert.equal(listed.listeners[0].requestTimeout, 1);

  // The forwarding headers the XForwardedForConfig asks for, and only those.
  let r = await request(port, '/', { 'X-Forwarded-For': '203.0.113.9', 'X-Forwarded-Proto': 'https', 'SLB-ID': 'forged' });
  assert.equal(r.status, 200);
  let seen = backend.seen.at(-1).headers;
  assert.equal(seen['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
  assert.equal(seen['x-forwarded-proto'], undefined);
  assert.equal(seen['slb-id'], loadBalancerId);
  assert.equal(seen['x-forwarded-port'], '80');
  assert.equal(seen['x-forwarded-host'], 'site.test');
  assert.match(seen['x-forwarded-client-srcport'], /^\d+$/);

  // RequestTimeout: 504 after one second, not the server's three.
  const started = Date.now();
  r = await request(port, '/slow');
  assert.equal(r.status, 504);
  assert.ok(Date.now() - started < 2900, 'answered before the server did');

  // RequestTimeout is the server's: a long upload from a client that pauses longer than it
  // (between streamed pieces) still goes through.
  const upload = await new Promise((resolve, reject) => {
    const size = 2 * 1024 * 1024;
    const req = http.request({ host: '127.0.0.1', port, method: 'POST', path: '/upload', agent: false,
      headers: { Host: 'site.test', 'Content-Length': size } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    req.on('error', reject);
    req.write(Buffer.alloc(size / 2, 1));
    setTimeout(() => req.end(Buffer.alloc(size / 2, 2)), 1600);
  });
  assert.equal(upload.status, 200);
  assert.equal(upload.body, `got ${2 * 1024 * 1024}`);

  // GzipEnabled: a compressible answer gzipped for a client that takes it; not otherwise.
  r = await request(port, '/big', { 'Accept-Encoding': 'gzip, deflate' });
  assert.equal(r.headers['content-encoding'], 'gzip');
  assert.ok(r.body.length < bigText.length / 4);
  assert.equal(zlib.gunzipSync(r.body).toString(), bigText);
  assert.match(r.headers.vary, /Accept-Encoding/);
  r = await request(port, '/big');
  assert.equal(r.headers['content-encoding'], undefined);
  assert.equal(r.body.toString(), bigText);
  r = await request(port, '/png', { 'Accept-Encoding': 'gzip' });
  assert.equal(r.headers['content-encoding'], undefined, 'images are not compressed');

  // IdleTimeout: a kept-alive connection is closed after two idle seconds.
  const socket = net.connect(port, '127.0.0.1');
  await new Promise((resolve) => socket.once('connect', resolve));
  let received = '';
  socket.on('data', (d) => (received += d));
  const closed = new Promise((resolve) => socket.once('close', resolve));
  const opened = Date.now();
  socket.write('GET / HTTP/1.1\r\nHost: site.test\r\n\r\n');
  await closed;
  assert.match(received, /^HTTP\/1.1 200/);
  const idle = Date.now() - opened;
  assert.ok(idle >= 1500 && idle < 10000, `closed after ${idle} ms`);

  // Changed live: gzip off, X-Forwarded-For removed, a longer request timeout.
  await update(server, alb, listenerId, {
    gzipEnabled: false, requestTimeout: 10,
    XForwardedForConfig: new Alb.UpdateListenerAttributeRequestXForwardedForConfig({ XForwardedForProcessingMode: 'remove', XForwardedForProtoEnabled: true }),
  });
  r = await request(port, '/big', { 'Accept-Encoding': 'gzip' });
  assert.equal(r.headers['content-encoding'], undefined);
  r = await request(port, '/', { 'X-Forwarded-For': '203.0.113.9' });
  seen = backend.seen.at(-1).headers;
  assert.equal(seen['x-forwarded-for'], undefined);
  assert.equal(seen['x-forwarded-proto'], 'http');
  assert.equal(seen['slb-id'], loadBalancerId, 'fields the update did not name keep their value');
  r = await request(port, '/slow');
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), 'late');
  const { body: after } = await alb.getListenerAttribute(new Alb.GetListenerAttributeRequest({ listenerId }));
  assert.equal(after.gzipEnabled, false);
  assert.equal(after.requestTimeout, 10);
  assert.equal(after.idleTimeout, 2);
  assert.equal(after.XForwardedForConfig.XForwardedForProcessingMode, 'remove');

  // Out of range: ALB's limits.
  let e = await rejection(() => alb.updateListenerAttribute(new Alb.UpdateListenerAttributeRequest({ listenerId, idleTimeout: 61 })));
  assert.equal(e.code, 'InvalidParameter');
  e = await rejection(() => alb.updateListenerAttribute(new Alb.UpdateListenerAttributeRequest({ listenerId, requestTimeout: 181 })));
  assert.equal(e.code, 'InvalidParameter');
});
