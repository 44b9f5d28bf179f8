// The operator's backend address policy, as a tenant meets it: a server group cannot point
// at openalb's own OpenAPI port (which would let a listener relay requests into the API from
// this host's address, defeating another account's acs:SourceIp condition) nor at link-local
// metadata addresses, whatever the spelling; --backend-deny closes loopback; and a server
// stored before the policy changed is no longer forwarded to after a restart.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { Server, rejection } = require('./harness');

async function serverGroup(server) {
  const { ServerGroupId, JobId } = await server.call('CreateServerGroup',
    { ServerGroupName: 'policy-group', ServerGroupType: 'Ip', VpcId: 'vpc-1', Protocol: 'HTTP' });
  await server.waitJob(JobId);
  return ServerGroupId;
}

function addServer(server, group, ip, port) {
  return server.call('AddServersToServerGroup', {
    ServerGroupId: group, 'Servers.1.ServerId': ip, 'Servers.1.ServerIp': ip,
    'Servers.1.ServerType': 'Ip', 'Servers.1.Port': port,
  });
}

test('no server may be the OpenAPI endpoint itself or a link-local address', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const group = await serverGroup(server);
  for (const [ip, port] of [['127.0.0.1', server.port], ['::ffff:127.0.0.1', server.port], ['::1', server.port],
    ['0.0.0.0', 80], ['169.254.169.254', 80], ['::ffff:169.254.169.254', 80], ['fe80::1', 80]]) {
    const error = await rejection(() => addServer(server, group, ip, port));
    assert.equal(error.code, 'OperationDenied.BackendAddressNotAllowed', `${ip}:${port}`);
  }
  const { Servers } = await server.call('ListServerGroupServers', { ServerGroupId: group });
  assert.deepEqual(Servers, []);
  // Loopback on another port is a server like any other by default.
  await server.waitJob((await addServer(server, group, '127.0.0.1', 9)).JobId);
});

test('--backend-deny closes loopback, and a server stored before is no longer forwarded to', async (t) => {
  const backend = http.createServer((req, res) => res.end('reached'));
  await new Promise((r) => backend.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => backend.close(r)));
  let server = await Server.start();
  t.after(() => server.stop());
  const group = await serverGroup(server);
  await server.waitJob((await addServer(server, group, '127.0.0.1', backend.address().port)).JobId);
  const { port, listenerId } = await server.listener({ protocol: 'HTTP', port: 80 });
  await server.waitJob((await server.call('UpdateListenerAttribute', {
    ListenerId: listenerId,
    'DefaultActions.1.Type': 'ForwardGroup',
    'DefaultActions.1.ForwardGroupConfig.ServerGroupTuples.1.ServerGroupId': group,
  })).JobId);
  const get = (port) => new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
  assert.deepEqual(await get(port), { status: 200, body: 'reached' });
  const { dataDir } = server;
  server.ownsDataDir = false;
  await server.stop();

  server = await Server.start({ dataDir, args: ['--backend-deny', '127.0.0.0/8,::1/128'] });
  server.ownsDataDir = true;
  const refused = await get(80 + server.portOffset);
  assert.equal(refused.status, 503);
  assert.match(server.stderr, /event=backend_refused .*address=127\.0\.0\.1 .*reason="it is in a --backend-deny range"/);
  const error = await rejection(() => addServer(server, group, '127.0.0.2', 80));
  assert.equal(error.code, 'OperationDenied.BackendAddressNotAllowed');
  assert.match(error.message, /--backend-deny/);
});
