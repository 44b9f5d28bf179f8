// Forwarding as a user meets it through the official V3 SDK: server groups and their
// servers, a listener whose default action forwards to a group, and real HTTPS requests
// through the listener to real HTTP servers — weights honoured, X-Forwarded-* added, a
// server that goes away passed over, 503 when none is left — and, after the whole
// certificate flow of the seed, an HTTPS request that sees the certificate change.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const https = require('node:https');
const Alb = require('@alicloud/alb20200616');
const { Server, waitFor, rejection } = require('./harness');

// A real HTTP server that answers with its name and remembers what it was sent.
async function startBackend(name) {
  const seen = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body });
      res.setHeader('X-Backend', name);
      res.end(`${name} ${req.method} ${req.url} ${body.length}`);
    });
  });
  server.keepAliveTimeout = 60000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { name, seen, port: server.address().port, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

// One HTTPS request to the listener; resolves with status, body, headers and the CN served.
function get(port, { servername = 'a.example.com', path = '/', method = 'GET', body, agent, headers = {} } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request({ host: '127.0.0.1', port, servername, path, method, agent, headers, rejectUnauthorized: false }, (res) => {
      let data = '';
      const cn = res.socket.getPeerCertificate().subject?.CN;
      const resumed = res.socket.isSessionReused();
      res.on('data', (d) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode, body: data, headers: res.headers, cn, resumed }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

class Flow {
  constructor(server) {
    this.server = server;
    this.alb = server.alb();
  }

  async job(jobId) {
    await waitFor(async () => {
      const { body } = await this.alb.listAsynJobs(new Alb.ListAsynJobsRequest({ jobIds: [jobId] }));
      assert.notEqual(body.jobs[0].status, 'Failed', JSON.stringify(body.jobs[0]));
      return body.jobs[0].status === 'Succeeded';
    }, 10000, `job ${jobId}`);
  }

  async loadBalancer() {
    const { body } = await this.alb.createLoadBalancer(new Alb.CreateLoadBalancerRequest({
      loadBalancerName: 'fwd', loadBalancerEdition: 'Standard', vpcId: 'vpc-1', addressType: 'Internet',
      loadBalancerBillingConfig: new Alb.CreateLoadBalancerRequestLoadBalancerBillingConfig({ payType: 'PostPay' }),
    }));
    await this.job(body.jobId);
    return body.loadBalancerId;
  }

  async serverGroup(options = {}) {
    const { body } = await this.alb.createServerGroup(new Alb.CreateServerGroupRequest({
      serverGroupName: 'web-servers', serverGroupType: 'Ip', vpcId: 'vpc-1', protocol: 'HTTP', ...options,
    }));
    assert.match(body.serverGroupId, /^sgp-[a-z0-9]{20}$/);
    await this.job(body.jobId);
    return body.serverGroupId;
  }

  async addServers(serverGroupId, servers) {
    const { body } = await this.alb.addServersToServerGroup(new Alb.AddServersToServerGroupRequest({
      serverGroupId,
      servers: servers.map(({ port, weight }) => new Alb.AddServersToServerGroupRequestServers({
        serverId: '127.0.0.1', serverIp: '127.0.0.1', serverType: 'Ip', port, weight,
      })),
    }));
    await this.job(body.jobId);
  }

  async removeServers(serverGroupId, ports) {
    const { body } = await this.alb.removeServersFromServerGroup(new Alb.RemoveServersFromServerGroupRequest({
      serverGroupId,
      servers: ports.map((port) => new Alb.RemoveServersFromServerGroupRequestServers({
        serverId: '127.0.0.1', serverType: 'Ip', port,
      })),
    }));
    await this.job(body.jobId);
  }

  async listener(loadBalancerId, certificateId, serverGroupId) {
    const { body } = await this.alb.createListener(new Alb.CreateListenerRequest({
      loadBalancerId, listenerProtocol: 'HTTPS', listenerPort: 443,
      certificates: [new Alb.CreateListenerRequestCertificates({ certificateId })],
      defaultActions: [new Alb.CreateListenerRequestDefaultActions({
        type: 'ForwardGroup',
        forwardGroupConfig: new Alb.CreateListenerRequestDefaultActionsForwardGroupConfig({
          serverGroupTuples: [new Alb.CreateListenerRequestDefaultActionsForwardGroupConfigServerGroupTuples({ serverGroupId })],
        }),
      })],
    }));
    await this.job(body.jobId);
    return body.listenerId;
  }
}

async function setUp(t) {
  const server = await Server.start();
  const backends = [await startBackend('one'), await startBackend('two')];
  t.after(async () => {
    await server.stop();
    for (const b of backends) await b.close();
  });
  const flow = new Flow(server);
  const lb = await flow.loadBalancer();
  const group = await flow.serverGroup();
  await flow.addServers(group, [{ port: backends[0].port, weight: 3 }, { port: backends[1].port, weight: 1 }]);
  const certificate = await server.uploadCertificate('default.test');
  const listener = await flow.listener(lb, certificate, group);
  return { server, flow, backends, lb, group, listener, port: 443 + server.portOffset };
}

test('requests are forwarded to the group by weight, with X-Forwarded-For and -Proto', async (t) => {
  const { flow, backends, group, listener, port } = await setUp(t);

  const { body: attrs } = await flow.alb.getListenerAttribute(new Alb.GetListenerAttributeRequest({ listenerId: listener }));
  assert.equal(attrs.defaultActions[0].type, 'ForwardGroup');
  assert.equal(attrs.defaultActions[0].forwardGroupConfig.serverGroupTuples[0].serverGroupId, group);
  const { body: groups } = await flow.alb.listServerGroups(new Alb.ListServerGroupsRequest({ serverGroupIds: [group] }));
  assert.equal(groups.serverGroups[0].serverGroupStatus, 'Available');
  assert.equal(groups.serverGroups[0].serverCount, 2);
  assert.deepEqual(groups.serverGroups[0].relatedLoadBalancerIds, [attrs.loadBalancerId]);
  const { body: servers } = await flow.alb.listServerGroupServers(new Alb.ListServerGroupServersRequest({ serverGroupId: group }));
  assert.deepEqual(servers.servers.map((s) => [s.port, s.weight, s.status, s.serverType]),
    [[backends[0].port, 3, 'Available', 'Ip'], [backends[1].port, 1, 'Available', 'Ip']]);

  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  const counts = { one: 0, two: 0 };
  for (let i = 0; i < 40; i++) {
    const res = await get(port, { agent, path: `/r/${i}` });
    assert.equal(res.status, 200);
    counts[res.headers['x-backend']]++;
  }
  agent.destroy();
  assert.deepEqual(counts, { one: 30, two: 10 });  // weights 3:1, exactly over whole cycles

  const last = backends[0].seen.at(-1);
  assert.equal(last.headers['x-forwarded-for'], '127.0.0.1');
  assert.equal(last.headers['x-forwarded-proto'], 'https');
  assert.equal(last.headers.host, `127.0.0.1:${port}`);
  // An existing X-Forwarded-For is appended to; a body arrives whole; HEAD gets no body.
  const posted = await get(port, { method: 'POST', body: 'x'.repeat(100000), headers: { 'X-Forwarded-For': '203.0.113.9' } });
  assert.equal(posted.status, 200);
  assert.match(posted.body, / POST \/ 100000$/);
  const seen = [...backends[0].seen, ...backends[1].seen].find((s) => s.method === 'POST');
  assert.equal(seen.headers['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
  const head = await get(port, { method: 'HEAD' });
  assert.equal(head.status, 200);
  assert.equal(head.body, '');
});

test('servers removed, gone or all down: traffic moves on, then 503', async (t) => {
  const { flow, backends, group, port } = await setUp(t);
  await flow.removeServers(group, [backends[0].port]);
  for (let i = 0; i < 6; i++) assert.equal((await get(port)).headers['x-backend'], 'two');
  await rejection(() => flow.removeServers(group, [backends[0].port]));  // not there any more

  await flow.addServers(group, [{ port: backends[0].port, weight: 1 }]);
  await backends[1].close();  // refuses connections from now on: passed over, nothing fails
  for (let i = 0; i < 6; i++) {
    const res = await get(port);
    assert.equal(res.status, 200);
    assert.equal(res.headers['x-backend'], 'one');
  }
  await backends[0].close();
  const none = await get(port);
  assert.equal(none.status, 503);
  assert.match(none.body, /no healthy server/);
});

test('server group rules: errors a client can act on', async (t) => {
  const { server, flow, group, listener } = await setUp(t);
  const code = async (fn) => (await rejection(fn)).code;
  assert.equal(await code(() => flow.alb.deleteServerGroup(new Alb.DeleteServerGroupRequest({ serverGroupId: group }))),
    'ResourceInUse.ServerGroup');
  assert.equal(await code(() => flow.alb.listServerGroupServers(new Alb.ListServerGroupServersRequest({ serverGroupId: 'sgp-00000000000000000000' }))),
    'ResourceNotFound.ServerGroup');
  assert.equal(await code(() => flow.addServers(group, [{ port: 1, weight: 101 }])), 'InvalidParameter');
  assert.equal(await code(() => flow.alb.addServersToServerGroup(new Alb.AddServersToServerGroupRequest({
    serverGroupId: group, servers: [new Alb.AddServersToServerGroupRequestServers({ serverId: 'i-abc', serverType: 'Ecs', port: 80 })],
  }))), 'InvalidParameter');  // an Ip group takes Ip servers
  const { port } = (await flow.alb.listServerGroupServers(new Alb.ListServerGroupServersRequest({ serverGroupId: group }))).body.servers[0];
  assert.equal(await code(() => flow.addServers(group, [{ port, weight: 5 }])), 'ResourceAlreadyExist.BackendServer');
  assert.equal(await code(() => flow.alb.createServerGroup(new Alb.CreateServerGroupRequest({ serverGroupName: '1bad' }))),
    'InvalidParameter');

  // Point the listener elsewhere; then the first group can go.
  const other = await flow.serverGroup({ serverGroupName: 'other' });
  const { body } = await flow.alb.updateListenerAttribute(new Alb.UpdateListenerAttributeRequest({
    listenerId: listener,
    defaultActions: [new Alb.UpdateListenerAttributeRequestDefaultActions({
      type: 'ForwardGroup',
      forwardGroupConfig: new Alb.UpdateListenerAttributeRequestDefaultActionsForwardGroupConfig({
        serverGroupTuples: [new Alb.UpdateListenerAttributeRequestDefaultActionsForwardGroupConfigServerGroupTuples({ serverGroupId: other })],
      }),
    })],
  }));
  await flow.job(body.jobId);
  const empty = await get(443 + server.portOffset);
  assert.equal(empty.status, 503);  // the new group has no server
  const { body: deleted } = await flow.alb.deleteServerGroup(new Alb.DeleteServerGroupRequest({ serverGroupId: group }));
  await flow.job(deleted.jobId);
  const { body: left } = await flow.alb.listServerGroups(new Alb.ListServerGroupsRequest({}));
  assert.deepEqual(left.serverGroups.map((g) => g.serverGroupId), [other]);
});

test('the seed flow end to end, then an HTTPS request through the listener sees the change', async (t) => {
  const { server, flow, listener, port } = await setUp(t);
  const extra = await server.uploadCertificate('a.example.com');
  const { body: associated } = await flow.alb.associateAdditionalCertificatesWithListener(
    new Alb.AssociateAdditionalCertificatesWithListenerRequest({
      listenerId: listener, certificates: [new Alb.AssociateAdditionalCertificatesWithListenerRequestCertificates({ certificateId: extra })],
    }));
  await flow.job(associated.jobId);
  // A new connection per request, offering to resume the previous TLS session.
  const agent = new https.Agent({ keepAlive: false });
  let res = await get(port, { servername: 'a.example.com', agent });
  assert.equal(res.cn, 'a.example.com');
  assert.equal(res.status, 200);
  res = await get(port, { servername: 'a.example.com', agent });
  assert.equal(res.resumed, true);  // resumption works while the certificate is served

  const dissociate = () => flow.alb.dissociateAdditionalCertificatesFromListener(
    new Alb.DissociateAdditionalCertificatesFromListenerRequest({
      listenerId: listener, clientToken: 'forward-flow-1',
      certificates: [new Alb.DissociateAdditionalCertificatesFromListenerRequestCertificates({ certificateId: extra })],
    }));
  const { body: first } = await dissociate();
  const { body: replay } = await dissociate();
  assert.equal(replay.jobId, first.jobId);
  await flow.job(first.jobId);
  const { body: left } = await flow.alb.listListenerCertificates(new Alb.ListListenerCertificatesRequest({ listenerId: listener }));
  assert.deepEqual(left.certificates.map((c) => c.isDefault), [true]);
  // The dissociated certificate is no longer served — not even by resuming a session made
  // under it — and the request still reaches a server.
  res = await get(port, { servername: 'a.example.com', agent });
  assert.equal(res.resumed, false);
  assert.equal(res.cn, 'default.test');
  assert.equal(res.status, 200);
});

test('an HTTP listener forwards plain HTTP the same way', async (t) => {
  const { server, flow, backends, lb, group } = await setUp(t);
  const { body } = await flow.alb.createListener(new Alb.CreateListenerRequest({
    loadBalancerId: lb, listenerProtocol: 'HTTP', listenerPort: 80,
    defaultActions: [new Alb.CreateListenerRequestDefaultActions({
      type: 'ForwardGroup',
      forwardGroupConfig: new Alb.CreateListenerRequestDefaultActionsForwardGroupConfig({
        serverGroupTuples: [new Alb.CreateListenerRequestDefaultActionsForwardGroupConfigServerGroupTuples({ serverGroupId: group })],
      }),
    })],
  }));
  await flow.job(body.jobId);
  const port = 80 + server.portOffset;
  const res = await new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/plain', agent: false }, (r) => {
      let data = '';
      r.on('data', (d) => (data += d));
      r.on('end', () => resolve({ status: r.statusCode, body: data }));
    }).on('error', reject);
  });
  assert.equal(res.status, 200);
  assert.match(res.body, /^(one|two) GET \/plain 0$/);
  const seen = [...backends[0].seen, ...backends[1].seen].find((s) => s.url === '/plain');
  assert.equal(seen.headers['x-forwarded-proto'], 'http');
  // Stopping it closes the port like an HTTPS listener's.
  await flow.job((await flow.alb.stopListener(new Alb.StopListenerRequest({ listenerId: body.listenerId }))).body.jobId);
  await rejection(() => new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, agent: false }, resolve).on('error', reject);
  }));
});
