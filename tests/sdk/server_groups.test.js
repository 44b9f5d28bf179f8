// Server groups as a user configures them through the official V3 SDK — HealthCheckConfig,
// StickySessionConfig, the Wlc and Uch schedulers, UpstreamKeepaliveEnabled — echoed by
// ListServerGroups exactly as sent, changed by UpdateServerGroupAttribute, and acted on by real
// HTTP traffic: a stopped server is found by the active checks and skipped, reported by
// GetListenerHealthStatus with ALB's reason, and taken back when it answers again; a sticky
// client stays on its server for 100 requests and moves gracefully when that server goes.
// Health check templates are created, read, listed, changed, applied and deleted.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const https = require('node:https');
const Alb = require('@alicloud/alb20200616');
const { Server, waitFor, rejection, model, makeCertificate } = require('./harness');

// A real HTTP server answering with its name. `health` is what /health answers (200 unless
// changed); `setCookie`, when set, is added to every answer. It can stop and start again on
// the same port.
async function startBackend(name, port = 0) {
  const backend = {
    name, seen: [], health: 200, setCookie: null, holdMs: 0, server: null, port,
    async start() {
      this.server = http.createServer((req, res) => {
        this.seen.push({ method: req.method, url: req.url, headers: req.headers });
        if (req.url === '/health') {
          res.statusCode = this.health;
          return res.end();
        }
        res.setHeader('X-Backend', name);
        if (this.setCookie) res.setHeader('Set-Cookie', this.setCookie);
        setTimeout(() => res.end(name), this.holdMs);
      });
      this.server.keepAliveTimeout = 60000;
      await new Promise((r) => this.server.listen(this.port, '127.0.0.1', r));
      this.port = this.server.address().port;
    },
    stop() {
      return new Promise((r) => { this.server.closeAllConnections(); this.server.close(r); });
    },
    traffic() { return this.seen.filter((s) => s.url !== '/health'); },
  };
  await backend.start();
  return backend;
}

function request(port, { path = '/', headers = {}, agent } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, agent, headers: { Host: 'www.test', ...headers } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

// A server, backends, and a group of them behind a running HTTP listener. `group` holds the
// CreateServerGroup fields beyond the name (SDK wire names, nested objects as objects).
async function setUp(t, { backends: names = ['a', 'b'], group = {} } = {}) {
  const server = await Server.start();
  const backends = {};
  for (const name of names) backends[name] = await startBackend(name);
  t.after(async () => {
    await server.stop();
    for (const b of Object.values(backends)) if (b.server.listening) await b.stop();
  });
  const alb = server.alb();
  const { groupId, listenerId, port } = await groupBehindListener(server,
    { ServerGroupName: 'web', Protocol: 'HTTP', ...group },
    Object.values(backends).map((b) => ({ port: b.port, description: b.name })));
  return { server, alb, backends, groupId, listenerId, port };
}

// A new Ip server group (`group`: CreateServerGroup's fields in wire names) of servers
// 127.0.0.1:<port>, the default action of a new HTTP listener.
async function groupBehindListener(server, group, servers) {
  const alb = server.alb();
  const { body: created } = await alb.createServerGroup(model('CreateServerGroupRequest',
    { ServerGroupType: 'Ip', VpcId: 'vpc-1', ...group }));
  await server.waitJob(created.jobId);
  const groupId = created.serverGroupId;
  await server.waitJob((await alb.addServersToServerGroup(new Alb.AddServersToServerGroupRequest({
    serverGroupId: groupId,
    servers: servers.map((s) => new Alb.AddServersToServerGroupRequestServers(
      { serverId: '127.0.0.1', serverIp: '127.0.0.1', serverType: 'Ip', ...s })),
  }))).body.jobId);
  const { listenerId, port } = await server.listener({ protocol: 'HTTP', port: 80 });
  await server.waitJob((await server.call('UpdateListenerAttribute', {
    ListenerId: listenerId, 'DefaultActions.1.Type': 'ForwardGroup',
    'DefaultActions.1.ForwardGroupConfig.ServerGroupTuples.1.ServerGroupId': groupId,
  })).JobId);
  return { groupId, listenerId, port };
}

async function groupOf(alb, groupId) {
  const { body } = await alb.listServerGroups(new Alb.ListServerGroupsRequest({ serverGroupIds: [groupId] }));
  assert.equal(body.serverGroups.length, 1);
  return body.serverGroups[0];
}

async function healthOf(alb, listenerId) {
  const { body } = await alb.getListenerHealthStatus(new Alb.GetListenerHealthStatusRequest({ listenerId }));
  assert.equal(body.listenerHealthStatus.length, 1);
  return body.listenerHealthStatus[0];
}

const check = {
  HealthCheckEnabled: true, HealthCheckProtocol: 'HTTP', HealthCheckMethod: 'GET', HealthCheckPath: '/health',
  HealthCheckCodes: ['http_2xx'], HealthCheckInterval: 1, HealthCheckTimeout: 1, HealthyThreshold: 2,
  UnhealthyThreshold: 2, HealthCheckHttpVersion: 'HTTP1.1', HealthCheckConnectPort: 0, HealthCheckHost: 'health.test',
};

test('a group\'s health check, stickiness, scheduler and keep-alive are echoed as sent, validated, and changed by UpdateServerGroupAttribute', async (t) => {
  const { server, alb, groupId } = await setUp(t, {
    group: {
      Scheduler: 'Wlc', HealthCheckConfig: check, UpstreamKeepaliveEnabled: false,
      StickySessionConfig: { StickySessionEnabled: true, StickySessionType: 'Server', Cookie: 'JSESSIONID' },
    },
  });
  let g = await groupOf(alb, groupId);
  assert.equal(g.scheduler, 'Wlc');
  assert.equal(g.upstreamKeepaliveEnabled, false);
  for (const [field, value] of Object.entries(check)) {
    const sdkField = field[0].toLowerCase() + field.slice(1);
    assert.deepEqual(g.healthCheckConfig[sdkField], value, field);
  }
  assert.equal(g.stickySessionConfig.stickySessionEnabled, true);
  assert.equal(g.stickySessionConfig.stickySessionType, 'Server');
  assert.equal(g.stickySessionConfig.cookie, 'JSESSIONID');

  // A group created without them shows ALB's defaults, health checks off.
  const { body: plain } = await alb.createServerGroup(new Alb.CreateServerGroupRequest({ serverGroupName: 'plain', serverGroupType: 'Ip', vpcId: 'vpc-1' }));
  await server.waitJob(plain.jobId);
  g = await groupOf(alb, plain.serverGroupId);
  assert.equal(g.healthCheckConfig.healthCheckEnabled, false);
  assert.equal(g.healthCheckConfig.healthCheckInterval, 2);
  assert.deepEqual(g.healthCheckConfig.healthCheckCodes, ['http_2xx', 'http_3xx']);
  assert.equal(g.stickySessionConfig.stickySessionEnabled, false);
  assert.equal(g.upstreamKeepaliveEnabled, true);
  assert.equal(g.scheduler, 'Wrr');

  // ALB's ranges and rules, as InvalidParameter (400).
  const refused = async (group) => rejection(() => alb.createServerGroup(model('CreateServerGroupRequest',
    { ServerGroupName: 'bad', ServerGroupType: 'Ip', VpcId: 'vpc-1', ...group })));
  for (const bad of [
    { HealthCheckConfig: { HealthCheckEnabled: true, HealthCheckInterval: 51 } },
    { HealthCheckConfig: { HealthCheckEnabled: true, HealthyThreshold: 1 } },
    { HealthCheckConfig: { HealthCheckEnabled: true, HealthCheckCodes: ['http_6xx'] } },
    { HealthCheckConfig: { HealthCheckEnabled: true, HealthCheckPath: 'no-slash' } },
    { HealthCheckConfig: { HealthCheckEnabled: true, HealthCheckMethod: 'PUT' } },
    { StickySessionConfig: { StickySessionEnabled: true, StickySessionType: 'Server' } },
    { StickySessionConfig: { StickySessionEnabled: true, StickySessionType: 'Insert', CookieTimeout: 86401 } },
    { Scheduler: 'Uch' },
    { Scheduler: 'Lc' },
  ]) {
    const e = await refused(bad);
    assert.equal(e.code, 'InvalidParameter', JSON.stringify(bad));
    assert.equal(e.statusCode, 400);
  }

  // UpdateServerGroupAttribute changes what it names and keeps the rest.
  const { body: update } = await alb.updateServerGroupAttribute(model('UpdateServerGroupAttributeRequest', {
    ServerGroupId: groupId, ServerGroupName: 'web-2', Scheduler: 'Uch', UchConfig: { Type: 'QueryString', Value: 'user' },
    HealthCheckConfig: { HealthCheckEnabled: true, HealthCheckInterval: 5 },
    StickySessionConfig: { StickySessionEnabled: true, StickySessionType: 'Insert', CookieTimeout: 600 },
  }));
  assert.ok(update.jobId);
  await server.waitJob(update.jobId);
  g = await groupOf(alb, groupId);
  assert.equal(g.serverGroupName, 'web-2');
  assert.equal(g.serverGroupStatus, 'Available');
  assert.equal(g.scheduler, 'Uch');
  assert.equal(g.uchConfig.value, 'user');
  assert.equal(g.healthCheckConfig.healthCheckInterval, 5);
  assert.equal(g.healthCheckConfig.healthCheckPath, '/health', 'fields not named stay');
  assert.equal(g.stickySessionConfig.stickySessionType, 'Insert');
  assert.equal(g.stickySessionConfig.cookieTimeout, 600);
  const e = await rejection(() => alb.updateServerGroupAttribute(model('UpdateServerGroupAttributeRequest',
    { ServerGroupId: 'sgp-00000000000000000000', Scheduler: 'Wrr' })));
  assert.equal(e.code, 'ResourceNotFound.ServerGroup');
  assert.equal(e.statusCode, 404);
});

test('active health checks take a stopped server out, GetListenerHealthStatus says why, and it comes back when it answers', async (t) => {
  const { alb, backends, listenerId, port } = await setUp(t, { group: { HealthCheckConfig: check } });
  const { a, b } = backends;
  const nonNormal = async () => (await healthOf(alb, listenerId)).serverGroupInfos[0].nonNormalServers;
  await waitFor(async () => (await nonNormal()).length === 0, 10000, 'both servers Healthy');
  const info = (await healthOf(alb, listenerId)).serverGroupInfos[0];
  assert.equal(info.healthCheckEnabled, 'on');
  const probe = b.seen.find((s) => s.url === '/health');
  assert.equal(probe.method, 'GET');
  assert.equal(probe.headers.host, 'health.test');

  // b stops: Unhealthy within interval × threshold (1 s × 2, plus a probe's timeout).
  await b.stop();
  const stoppedAt = Date.now();
  const down = await waitFor(async () => (await nonNormal()).find((s) => s.port === b.port && s.status === 'Unhealthy'),
    8000, 'b Unhealthy');
  assert.equal(down.reason.reasonCode, 'CONNECT_FAIL');
  assert.equal(down.serverIp, '127.0.0.1');
  t.diagnostic(`stopped server reported Unhealthy after ${Date.now() - stoppedAt} ms`);
  const before = a.traffic().length;
  const answers = await Promise.all(Array.from({ length: 20 }, () => request(port)));
  assert.deepEqual(answers.map((r) => r.status), Array(20).fill(200), 'no request was sent to the stopped server');
  assert.equal(a.traffic().length - before, 20);

  // b answers again but its health page says 503: still out, with the code it gave.
  b.health = 503;
  await b.start();
  const mismatch = await waitFor(async () => (await nonNormal()).find((s) => s.port === b.port && s.reason?.reasonCode === 'RESPONSE_MISMATCH'),
    8000, 'b RESPONSE_MISMATCH');
  assert.equal(mismatch.reason.actualResponse, 'HTTP_503');
  assert.equal(mismatch.reason.expectedResponse, 'HTTP_2xx');
  assert.equal(b.traffic().length, 0);

  // Healthy again: back in the rotation.
  b.health = 200;
  await waitFor(async () => (await nonNormal()).length === 0, 8000, 'b Healthy again');
  await Promise.all(Array.from({ length: 10 }, () => request(port)));
  assert.ok(b.traffic().length > 0, 'b takes requests again');

  // Health checks off: every server is Unavailable (not checked), as ALB reports it.
  const { body: off } = await alb.updateServerGroupAttribute(model('UpdateServerGroupAttributeRequest',
    { ServerGroupId: (await healthOf(alb, listenerId)).serverGroupInfos[0].serverGroupId, HealthCheckConfig: { HealthCheckEnabled: false } }));
  await waitFor(async () => (await alb.listAsynJobs(new Alb.ListAsynJobsRequest({ jobIds: [off.jobId] }))).body.jobs[0].status === 'Succeeded', 10000, 'job');
  const after = (await healthOf(alb, listenerId)).serverGroupInfos[0];
  assert.equal(after.healthCheckEnabled, 'off');
  assert.deepEqual(after.nonNormalServers.map((s) => s.status), ['Unavailable', 'Unavailable']);
});

test('Insert stickiness keeps a client on one server for 100 requests and moves it when that server is removed', async (t) => {
  const { server, alb, backends, groupId, port } = await setUp(t, {
    backends: ['a', 'b', 'c'],
    group: { StickySessionConfig: { StickySessionEnabled: true, StickySessionType: 'Insert', CookieTimeout: 600 } },
  });
  const first = await request(port);
  const setCookie = first.headers['set-cookie'][0];
  assert.match(setCookie, /^openalb_server=[0-9a-f]{16}; Max-Age=600; Path=\/; HttpOnly$/);
  const cookie = setCookie.split(';')[0];
  const agent = new http.Agent({ keepAlive: false });
  for (let i = 0; i < 100; ++i) {
    const r = await request(port, { headers: { Cookie: `other=1; ${cookie}` }, agent });
    assert.equal(r.headers['x-backend'], first.headers['x-backend'], `request ${i}`);
    assert.equal(r.headers['set-cookie'], undefined, 'a pinned client is not re-pinned');
  }
  // A client without the cookie is spread as usual.
  const spread = new Set();
  for (let i = 0; i < 6; ++i) spread.add((await request(port)).headers['x-backend']);
  assert.ok(spread.size > 1);

  // Its server goes: the next request is served elsewhere and pinned anew.
  const pinned = backends[first.headers['x-backend']];
  await server.waitJob((await alb.removeServersFromServerGroup(new Alb.RemoveServersFromServerGroupRequest({
    serverGroupId: groupId, servers: [new Alb.RemoveServersFromServerGroupRequestServers({ serverId: '127.0.0.1', serverType: 'Ip', port: pinned.port })],
  }))).body.jobId);
  const moved = await request(port, { headers: { Cookie: cookie } });
  assert.equal(moved.status, 200);
  assert.notEqual(moved.headers['x-backend'], pinned.name);
  assert.match(moved.headers['set-cookie'][0], /^openalb_server=[0-9a-f]{16};/);
  assert.notEqual(moved.headers['set-cookie'][0].split(';')[0], cookie);
});

test('Server stickiness follows the server\'s own cookie, which the server sees unchanged', async (t) => {
  const { backends, port } = await setUp(t, {
    backends: ['a', 'b', 'c'],
    group: { StickySessionConfig: { StickySessionEnabled: true, StickySessionType: 'Server', Cookie: 'SESSION' } },
  });
  for (const b of Object.values(backends)) b.setCookie = `SESSION=${b.name}-42; Path=/`;
  const first = await request(port);
  const setCookie = first.headers['set-cookie'][0];
  assert.match(setCookie, new RegExp(`^SESSION=[0-9a-f]{16}~${first.headers['x-backend']}-42; Path=/$`));
  const cookie = setCookie.split(';')[0];
  const owner = backends[first.headers['x-backend']];
  for (let i = 0; i < 30; ++i) {
    const r = await request(port, { headers: { Cookie: `${cookie}; theme=dark` } });
    assert.equal(r.headers['x-backend'], owner.name);
  }
  assert.equal(owner.traffic().at(-1).headers.cookie, `SESSION=${owner.name}-42; theme=dark`);
});

test('Uch sends one query parameter value to one server; Wlc sends new requests away from a busy server', async (t) => {
  const { server, alb, backends, groupId, port } = await setUp(t, {
    backends: ['a', 'b', 'c'], group: { Scheduler: 'Uch', UchConfig: { Type: 'QueryString', Value: 'user' } },
  });
  const owners = new Set();
  for (let user = 0; user < 12; ++user) {
    const first = (await request(port, { path: `/p?user=${user}` })).headers['x-backend'];
    owners.add(first);
    for (let i = 0; i < 4; ++i) {
      assert.equal((await request(port, { path: `/q?x=1&user=${user}` })).headers['x-backend'], first);
    }
  }
  assert.ok(owners.size > 1, 'users are spread over the servers');

  await server.waitJob((await alb.updateServerGroupAttribute(model('UpdateServerGroupAttributeRequest',
    { ServerGroupId: groupId, Scheduler: 'Wlc' }))).body.jobId);
  backends.a.holdMs = 1500;  // a's requests stay in flight
  const slow = Array.from({ length: 3 }, () => request(port));
  await waitFor(() => backends.a.traffic().length > 0 && backends.a.traffic().length >= 1, 5000, 'a busy');
  await new Promise((r) => setTimeout(r, 100));
  const busyCount = backends.a.traffic().length;
  const quick = [];
  for (let i = 0; i < 8; ++i) quick.push(await request(port));
  assert.ok(quick.every((r) => r.headers['x-backend'] !== 'a'), JSON.stringify(quick.map((r) => r.headers['x-backend'])));
  assert.equal(backends.a.traffic().length, busyCount);
  await Promise.all(slow);
});

test('ReplaceServersInServerGroup swaps servers in one job; UpdateServerGroupServersAttribute changes weights and descriptions live', async (t) => {
  const { server, alb, backends, groupId, port } = await setUp(t, { backends: ['a', 'b'] });
  const c = await startBackend('c');
  t.after(() => c.stop());
  const { body: replaced } = await alb.replaceServersInServerGroup(new Alb.ReplaceServersInServerGroupRequest({
    serverGroupId: groupId,
    addedServers: [new Alb.ReplaceServersInServerGroupRequestAddedServers({ serverId: '127.0.0.1', serverIp: '127.0.0.1', serverType: 'Ip', port: c.port, weight: 50 })],
    removedServers: [new Alb.ReplaceServersInServerGroupRequestRemovedServers({ serverId: '127.0.0.1', serverType: 'Ip', port: backends.b.port })],
  }));
  await server.waitJob(replaced.jobId);
  const { body: listed } = await alb.listServerGroupServers(new Alb.ListServerGroupServersRequest({ serverGroupId: groupId }));
  assert.deepEqual(listed.servers.map((s) => [s.port, s.weight, s.status]).sort(),
    [[backends.a.port, 100, 'Available'], [c.port, 50, 'Available']].sort());
  const seen = new Set();
  for (let i = 0; i < 9; ++i) seen.add((await request(port)).headers['x-backend']);
  assert.deepEqual([...seen].sort(), ['a', 'c']);

  // Weight 0 takes a out of rotation; the description changes and the weight stays as it was
  // for the server named without one.
  const { body: weights } = await alb.updateServerGroupServersAttribute(new Alb.UpdateServerGroupServersAttributeRequest({
    serverGroupId: groupId,
    servers: [
      new Alb.UpdateServerGroupServersAttributeRequestServers({ serverId: '127.0.0.1', serverType: 'Ip', port: backends.a.port, weight: 0 }),
      new Alb.UpdateServerGroupServersAttributeRequestServers({ serverId: '127.0.0.1', serverType: 'Ip', port: c.port, description: 'the new one' }),
    ],
  }));
  await server.waitJob(weights.jobId);
  const { body: after } = await alb.listServerGroupServers(new Alb.ListServerGroupServersRequest({ serverGroupId: groupId }));
  const byPort = Object.fromEntries(after.servers.map((s) => [s.port, s]));
  assert.equal(byPort[backends.a.port].weight, 0);
  assert.equal(byPort[c.port].weight, 50);
  assert.equal(byPort[c.port].description, 'the new one');
  for (let i = 0; i < 6; ++i) assert.equal((await request(port)).headers['x-backend'], 'c');
  const e = await rejection(() => alb.updateServerGroupServersAttribute(new Alb.UpdateServerGroupServersAttributeRequest({
    serverGroupId: groupId, servers: [new Alb.UpdateServerGroupServersAttributeRequestServers({ serverId: '127.0.0.9', serverType: 'Ip', port: 1, weight: 5 })],
  })));
  assert.equal(e.code, 'ResourceNotFound.BackendServer');
});

test('health check templates are created, read, listed, changed, applied to a group and deleted', async (t) => {
  const { server, alb, groupId } = await setUp(t, { backends: ['a'] });
  const { body: created } = await alb.createHealthCheckTemplate(new Alb.CreateHealthCheckTemplateRequest({
    healthCheckTemplateName: 'strict', healthCheckPath: '/ready', healthCheckCodes: ['http_2xx'], healthCheckInterval: 3,
    healthCheckMethod: 'GET', unhealthyThreshold: 4,
  }));
  assert.match(created.healthCheckTemplateId, /^hct-[a-z0-9]{20}$/);
  const id = created.healthCheckTemplateId;
  // A ClientToken makes the create idempotent: the replay answers the same template, the token
  // with other parameters is refused.
  const once = () => alb.createHealthCheckTemplate(new Alb.CreateHealthCheckTemplateRequest({
    healthCheckTemplateName: 'tokened', healthCheckPath: '/t', clientToken: 'template-token-1' }));
  const first = (await once()).body.healthCheckTemplateId;
  assert.equal((await once()).body.healthCheckTemplateId, first);
  const mismatch = await rejection(() => alb.createHealthCheckTemplate(new Alb.CreateHealthCheckTemplateRequest({
    healthCheckTemplateName: 'other', clientToken: 'template-token-1' })));
  assert.equal(mismatch.code, 'IdempotentParameterMismatch');
  await alb.deleteHealthCheckTemplates(new Alb.DeleteHealthCheckTemplatesRequest({ healthCheckTemplateIds: [first] }));
  let { body: got } = await alb.getHealthCheckTemplateAttribute(new Alb.GetHealthCheckTemplateAttributeRequest({ healthCheckTemplateId: id }));
  assert.equal(got.healthCheckTemplateName, 'strict');
  assert.equal(got.healthCheckPath, '/ready');
  assert.deepEqual(got.healthCheckCodes, ['http_2xx']);
  assert.equal(got.healthCheckInterval, 3);
  assert.equal(got.unhealthyThreshold, 4);
  assert.equal(got.healthyThreshold, 3, 'a field not given has ALB\'s default');

  await alb.updateHealthCheckTemplateAttribute(new Alb.UpdateHealthCheckTemplateAttributeRequest({
    healthCheckTemplateId: id, healthCheckTemplateName: 'stricter', healthCheckTimeout: 2 }));
  ({ body: got } = await alb.getHealthCheckTemplateAttribute(new Alb.GetHealthCheckTemplateAttributeRequest({ healthCheckTemplateId: id })));
  assert.equal(got.healthCheckTemplateName, 'stricter');
  assert.equal(got.healthCheckTimeout, 2);
  assert.equal(got.healthCheckPath, '/ready');
  const { body: listed } = await alb.listHealthCheckTemplates(new Alb.ListHealthCheckTemplatesRequest({ healthCheckTemplateNames: ['stricter'] }));
  assert.deepEqual(listed.healthCheckTemplates.map((x) => x.healthCheckTemplateId), [id]);

  const { body: applied } = await alb.applyHealthCheckTemplateToServerGroup(new Alb.ApplyHealthCheckTemplateToServerGroupRequest({
    healthCheckTemplateId: id, serverGroupId: groupId }));
  await server.waitJob(applied.jobId);
  const g = await groupOf(alb, groupId);
  assert.equal(g.healthCheckConfig.healthCheckEnabled, true);
  assert.equal(g.healthCheckConfig.healthCheckPath, '/ready');
  assert.equal(g.healthCheckConfig.healthCheckTimeout, 2);
  assert.equal(g.healthCheckConfig.unhealthyThreshold, 4);

  let e = await rejection(() => alb.createHealthCheckTemplate(new Alb.CreateHealthCheckTemplateRequest({
    healthCheckTemplateName: 'x', healthCheckPath: '/' })));
  assert.equal(e.code, 'InvalidParameter');
  e = await rejection(() => alb.createHealthCheckTemplate(new Alb.CreateHealthCheckTemplateRequest({
    healthCheckTemplateName: 'ok-name', healthCheckTimeout: 301 })));
  assert.equal(e.code, 'InvalidParameter');
  await alb.deleteHealthCheckTemplates(new Alb.DeleteHealthCheckTemplatesRequest({ healthCheckTemplateIds: [id] }));
  e = await rejection(() => alb.getHealthCheckTemplateAttribute(new Alb.GetHealthCheckTemplateAttributeRequest({ healthCheckTemplateId: id })));
  assert.equal(e.code, 'ResourceNotFound.HealthCheckTemplate');
  assert.equal(e.statusCode, 404);
  e = await rejection(() => alb.applyHealthCheckTemplateToServerGroup(new Alb.ApplyHealthCheckTemplateToServerGroupRequest({
    healthCheckTemplateId: id, serverGroupId: groupId })));
  assert.equal(e.code, 'ResourceNotFound.HealthCheckTemplate');
});

test('an HTTPS server group is reached over TLS with the request\'s host as SNI, and probed over HTTPS', async (t) => {
  const server = await Server.start();
  const { cert, key } = makeCertificate('backend.test');
  const seen = [];
  const connections = new Set();
  const backend = https.createServer({ cert, key }, (req, res) => {
    seen.push({ url: req.url, servername: req.socket.servername, encrypted: req.socket.encrypted === true });
    if (req.url.startsWith('/over-tls/')) connections.add(req.socket);
    res.end(`tls ${req.url}`);
  });
  backend.keepAliveTimeout = 60000;
  await new Promise((r) => backend.listen(0, '127.0.0.1', r));
  t.after(async () => { await server.stop(); backend.closeAllConnections(); backend.close(); });
  const alb = server.alb();
  const { groupId, listenerId, port } = await groupBehindListener(server, {
    ServerGroupName: 'tls', Protocol: 'HTTPS',
    HealthCheckConfig: { ...check, HealthCheckProtocol: 'HTTPS', HealthCheckHost: 'probe.test' },
  }, [{ port: backend.address().port }]);
  assert.equal((await groupOf(alb, groupId)).protocol, 'HTTPS');
  // The HTTPS probe reached the server (a /health request with the check's host as SNI).
  await waitFor(async () => (await healthOf(alb, listenerId)).serverGroupInfos[0].nonNormalServers.length === 0,
    10000, 'the HTTPS server Healthy');
  assert.ok(seen.some((s) => s.url === '/health' && s.servername === 'probe.test' && s.encrypted));

  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  t.after(() => agent.destroy());
  for (let i = 0; i < 5; ++i) {
    const r = await request(port, { path: `/over-tls/${i}`, headers: { Host: 'www.tls.test:8080' }, agent });
    assert.equal(r.status, 200);
    assert.equal(r.body, `tls /over-tls/${i}`);
  }
  const forwarded = seen.filter((s) => s.url.startsWith('/over-tls/'));
  assert.equal(forwarded.length, 5);
  assert.ok(forwarded.every((s) => s.encrypted && s.servername === 'www.tls.test'), JSON.stringify(forwarded));
  // A kept-alive client connection keeps its TLS connection to the server: no handshake each time.
  assert.equal(connections.size, 1, `${connections.size} server connections for 5 requests`);
});

test('alicloud_alb_server_group\'s calls, as the Terraform provider makes them, apply, read back unchanged, update and destroy', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const health = {
    'HealthCheckConfig.HealthCheckEnabled': 'true', 'HealthCheckConfig.HealthCheckCodes.1': 'http_2xx',
    'HealthCheckConfig.HealthCheckCodes.2': 'http_3xx', 'HealthCheckConfig.HealthCheckConnectPort': '46325',
    'HealthCheckConfig.HealthCheckHost': 'tf-example.com', 'HealthCheckConfig.HealthCheckHttpVersion': 'HTTP1.1',
    'HealthCheckConfig.HealthCheckInterval': '2', 'HealthCheckConfig.HealthCheckMethod': 'HEAD',
    'HealthCheckConfig.HealthCheckPath': '/tf-example', 'HealthCheckConfig.HealthCheckProtocol': 'HTTP',
    'HealthCheckConfig.HealthCheckTimeout': '5', 'HealthCheckConfig.HealthyThreshold': '3', 'HealthCheckConfig.UnhealthyThreshold': '3',
  };
  const sticky = { 'StickySessionConfig.StickySessionEnabled': 'true', 'StickySessionConfig.StickySessionType': 'Insert', 'StickySessionConfig.CookieTimeout': '1000' };
  const created = await server.call('CreateServerGroup', {
    ClientToken: 'tf-sg-1', Protocol: 'HTTP', ResourceGroupId: 'rg-tf', Scheduler: 'Sch', ServerGroupName: 'tf-group',
    ServerGroupType: 'Ip', VpcId: 'vpc-tf', ...health, ...sticky,
  });
  const id = created.ServerGroupId;
  const status = async () => (await server.call('ListServerGroups', { 'ServerGroupIds.1': id })).ServerGroups[0]?.ServerGroupStatus;
  await waitFor(async () => (await status()) === 'Available', 10000, 'Available');
  // The update path after create: tags, servers, then the attributes again.
  await server.call('TagResources', { ResourceType: 'servergroup', 'ResourceId.1': id, 'Tag.1.Key': 'Created', 'Tag.1.Value': 'tf' });
  await server.call('AddServersToServerGroup', {
    ClientToken: 'tf-sg-add', ServerGroupId: id, 'Servers.1.Description': 'tf-server', 'Servers.1.Port': '8080',
    'Servers.1.ServerIp': '10.0.0.7', 'Servers.1.Weight': '10', 'Servers.1.ServerId': '10.0.0.7', 'Servers.1.ServerType': 'Ip',
  });
  await waitFor(async () => (await status()) === 'Available', 10000, 'Available after adding servers');
  const update = await server.call('UpdateServerGroupAttribute', { ServerGroupId: id, ...health, ...sticky });
  await server.waitJob(update.JobId);

  const read = async () => {
    const group = JSON.parse(JSON.stringify((await server.call('ListServerGroups', { 'ServerGroupIds.1': id })).ServerGroups[0]));
    const servers = JSON.parse(JSON.stringify((await server.call('ListServerGroupServers', { ServerGroupId: id })).Servers));
    return { group, servers };
  };
  const first = await read();
  const h = first.group.HealthCheckConfig;
  assert.deepEqual([h.HealthCheckEnabled, h.HealthCheckCodes, h.HealthCheckConnectPort, h.HealthCheckHost, h.HealthCheckHttpVersion,
    h.HealthCheckInterval, h.HealthCheckMethod, h.HealthCheckPath, h.HealthCheckProtocol, h.HealthCheckTimeout, h.HealthyThreshold, h.UnhealthyThreshold],
  [true, ['http_2xx', 'http_3xx'], 46325, 'tf-example.com', 'HTTP1.1', 2, 'HEAD', '/tf-example', 'HTTP', 5, 3, 3]);
  const s = first.group.StickySessionConfig;
  assert.deepEqual([s.StickySessionEnabled, s.StickySessionType, s.CookieTimeout], [true, 'Insert', 1000]);
  assert.deepEqual([first.group.Protocol, first.group.Scheduler, first.group.ServerGroupName, first.group.VpcId, first.group.ResourceGroupId, first.group.ServerGroupType],
    ['HTTP', 'Sch', 'tf-group', 'vpc-tf', 'rg-tf', 'Ip']);
  assert.deepEqual(first.group.Tags, [{ Key: 'Created', Value: 'tf' }]);
  assert.deepEqual(first.servers.map((x) => [x.ServerId, x.ServerIp, x.Port, x.Weight, x.Description, x.ServerType, x.Status]),
    [['10.0.0.7', '10.0.0.7', 8080, 10, 'tf-server', 'Ip', 'Available']]);
  assert.deepEqual(await read(), first, 'a second read is the same: an empty plan');

  // Destroy: DeleteServerGroup, then absent (ResourceNotFound is done for the provider).
  await server.waitJob((await server.call('DeleteServerGroup', { ClientToken: 'tf-sg-del', ServerGroupId: id })).JobId);
  assert.equal((await server.call('ListServerGroups', { 'ServerGroupIds.1': id })).ServerGroups.length, 0);
});
