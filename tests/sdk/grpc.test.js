// gRPC through an HTTPS listener to a server group whose Protocol is gRPC, as ALB documents it:
// the client speaks gRPC over TLS and HTTP/2 to the listener, openalb speaks cleartext HTTP/2 to
// the servers. Client and servers are @grpc/grpc-js, the library Node's gRPC users run. Unary,
// server-streaming, client-streaming and bidirectional calls arrive whole and in order; status
// codes, messages and trailing metadata come back; a cancelled call is cancelled at the server;
// a stopped server's calls go to the other one; an HTTP/1.1 client is told gRPC needs HTTP/2.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const https = require('node:https');
const grpc = require('@grpc/grpc-js');
const { Server, Alb, model, waitFor, makeCertificate } = require('./harness');

const bytes = { serialize: (b) => b, deserialize: (b) => b };
const method = (name, requestStream, responseStream) => ({
  path: `/openalb.test.Echo/${name}`, requestStream, responseStream,
  requestSerialize: bytes.serialize, requestDeserialize: bytes.deserialize,
  responseSerialize: bytes.serialize, responseDeserialize: bytes.deserialize,
});
const service = {
  Say: method('Say', false, false),
  Count: method('Count', false, true),
  Digest: method('Digest', true, false),
  Chat: method('Chat', true, true),
  Refuse: method('Refuse', false, false),
};
const health = { Check: { ...method('Check', false, false), path: '/grpc.health.v1.Health/Check' } };

// A gRPC server on 127.0.0.1 (cleartext HTTP/2) named `name`: Say echoes its message with the
// server's name and the X-Forwarded-Proto it was sent, and adds trailing metadata; Count streams
// N numbered messages; Digest answers the SHA-256 of everything streamed to it; Chat echoes each
// message; Refuse fails with NOT_FOUND.
async function startGrpcServer(name) {
  const events = { calls: 0, cancelled: 0, checks: [] };
  const server = new grpc.Server();
  server.addService(service, {
    Say(call, done) {
      events.calls += 1;
      const trailer = new grpc.Metadata();
      trailer.set('x-answered-by', name);
      const proto = call.metadata.get('x-forwarded-proto')[0];
      done(null, Buffer.from(`${call.request} from ${name} via ${proto}`), trailer);
    },
    Count(call) {
      events.calls += 1;
      const n = Number(call.request.toString());
      let i = 0;
      call.on('cancelled', () => { events.cancelled += 1; });
      const pump = () => {
        while (i < n && !call.cancelled) {
          const ok = call.write(Buffer.from(`${i++}:`.padEnd(1024, '.')));
          if (!ok) return call.once('drain', pump);
        }
        if (!call.cancelled) call.end();
      };
      pump();
    },
    Digest(call, done) {
      events.calls += 1;
      const hash = crypto.createHash('sha256');
      let length = 0;
      call.on('data', (d) => { hash.update(d); length += d.length; });
      call.on('end', () => done(null, Buffer.from(`${length}:${hash.digest('hex')}`)));
    },
    Chat(call) {
      events.calls += 1;
      call.on('data', (d) => call.write(Buffer.from(`echo ${d}`)));
      call.on('end', () => call.end());
    },
    Refuse(call, done) {
      events.calls += 1;
      done({ code: grpc.status.NOT_FOUND, details: `nothing called ${call.request}` });
    },
  });
  server.addService(health, {
    Check(call, done) {
      events.checks.push({ userAgent: call.metadata.get('user-agent')[0] });
      done(null, Buffer.alloc(0));
    },
  });
  const port = await new Promise((resolve, reject) => server.bindAsync('127.0.0.1:0',
    grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  return { name, port, events, stop: () => new Promise((r) => server.tryShutdown(r)), kill: () => server.forceShutdown() };
}

// openalb with an HTTPS listener for grpc.test forwarding to a gRPC server group of `servers`.
async function setUp(t, count = 1, group = {}) {
  const server = await Server.start();
  const backends = [];
  for (let i = 0; i < count; i += 1) backends.push(await startGrpcServer(`server-${i}`));
  t.after(async () => {
    await server.stop();
    for (const b of backends) b.kill();
  });
  const { cert, key } = makeCertificate('grpc.test');
  const uploaded = await server.cas().request('UploadUserCertificate', { Name: 'grpc', Cert: cert, Key: key }, { method: 'POST' });
  const alb = server.alb();
  const { body: created } = await alb.createServerGroup(model('CreateServerGroupRequest',
    { ServerGroupName: 'rpc', ServerGroupType: 'Ip', VpcId: 'vpc-1', Protocol: 'gRPC', ...group }));
  await server.waitJob(created.jobId);
  const groupId = created.serverGroupId;
  await server.waitJob((await alb.addServersToServerGroup(new Alb.AddServersToServerGroupRequest({
    serverGroupId: groupId,
    servers: backends.map((b) => new Alb.AddServersToServerGroupRequestServers(
      { serverId: '127.0.0.1', serverIp: '127.0.0.1', serverType: 'Ip', port: b.port })),
  }))).body.jobId);
  const { listenerId, port } = await server.listener({ protocol: 'HTTPS', port: 443, certificateId: `${uploaded.CertId}-cn-hangzhou` });
  await server.waitJob((await server.call('UpdateListenerAttribute', {
    ListenerId: listenerId, 'DefaultActions.1.Type': 'ForwardGroup',
    'DefaultActions.1.ForwardGroupConfig.ServerGroupTuples.1.ServerGroupId': groupId,
  })).JobId);
  const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createSsl(Buffer.from(cert)),
    { 'grpc.ssl_target_name_override': 'grpc.test', 'grpc.default_authority': 'grpc.test' });
  t.after(() => client.close());
  return { server, alb, backends, groupId, listenerId, port, client };
}

// A unary call: { message (string), trailers (Metadata) } or rejects with the gRPC error.
function unary(client, name, message) {
  return new Promise((resolve, reject) => {
    let answer;
    let trailers;
    const settle = () => { if (answer !== undefined && trailers !== undefined) resolve({ message: answer, trailers }); };
    const call = client.makeUnaryRequest(service[name].path, bytes.serialize, bytes.deserialize,
      Buffer.from(message), (error, reply) => {
        if (error) return reject(error);
        answer = reply.toString();
        return settle();
      });
    call.on('status', (status) => { trailers = status.metadata; settle(); });
  });
}

test('a unary call reaches the gRPC server over TLS and HTTP/2, its trailers come back, and the group reads Protocol gRPC', async (t) => {
  const { alb, groupId, client } = await setUp(t);
  const { body } = await alb.listServerGroups(new Alb.ListServerGroupsRequest({ serverGroupIds: [groupId] }));
  assert.equal(body.serverGroups[0].protocol, 'gRPC');

  const answer = await unary(client, 'Say', 'hello');
  assert.equal(answer.message, 'hello from server-0 via https');
  assert.deepEqual(answer.trailers.get('x-answered-by'), ['server-0']);
  // Many calls at once share the connection both ways.
  const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => unary(client, 'Say', `m${i}`)));
  answers.forEach((a, i) => assert.equal(a.message, `m${i} from server-0 via https`));
});

test('an error status and its message come back as the server sent them (a trailers-only answer)', async (t) => {
  const { client } = await setUp(t);
  await assert.rejects(unary(client, 'Refuse', 'x'), (e) => e.code === grpc.status.NOT_FOUND && e.details === 'nothing called x');
  // The connection is still good for the next call.
  assert.equal((await unary(client, 'Say', 'after')).message, 'after from server-0 via https');
});

test('server streaming, client streaming and bidirectional calls arrive whole and in order under flow control', async (t) => {
  const { client } = await setUp(t);

  // 4,000 messages of 1 KiB from the server, read at the client's pace.
  const messages = await new Promise((resolve, reject) => {
    const got = [];
    const call = client.makeServerStreamRequest(service.Count.path, bytes.serialize, bytes.deserialize, Buffer.from('4000'));
    call.on('data', (d) => got.push(d.toString().split(':')[0]));
    call.on('error', reject);
    call.on('end', () => resolve(got));
  });
  assert.equal(messages.length, 4000);
  messages.forEach((m, i) => assert.equal(m, String(i)));

  // 16 MiB streamed to the server in 64 KiB messages: it saw every byte.
  const sent = crypto.createHash('sha256');
  const digest = await new Promise((resolve, reject) => {
    const call = client.makeClientStreamRequest(service.Digest.path, bytes.serialize, bytes.deserialize,
      (error, answer) => (error ? reject(error) : resolve(answer.toString())));
    let i = 0;
    const pump = () => {
      while (i < 256) {
        const piece = crypto.randomBytes(64 * 1024);
        sent.update(piece);
        i += 1;
        if (!call.write(piece)) return call.once('drain', pump);
      }
      call.end();
    };
    pump();
  });
  assert.equal(digest, `${16 * 1024 * 1024}:${sent.digest('hex')}`);

  // A conversation: each answer comes before the next question is asked.
  const call = client.makeBidiStreamRequest(service.Chat.path, bytes.serialize, bytes.deserialize);
  const replies = [];
  for (let i = 0; i < 50; i += 1) {
    const reply = new Promise((resolve) => call.once('data', (d) => resolve(d.toString())));
    call.write(Buffer.from(`q${i}`));
    replies.push(await reply);
  }
  call.end();
  await new Promise((resolve) => call.on('status', resolve));
  replies.forEach((r, i) => assert.equal(r, `echo q${i}`));
});

test('a call the client cancels is cancelled at the server', async (t) => {
  const { client, backends } = await setUp(t);
  await new Promise((resolve) => {
    const call = client.makeServerStreamRequest(service.Count.path, bytes.serialize, bytes.deserialize, Buffer.from('100000000'));
    let n = 0;
    call.on('data', () => { n += 1; if (n === 100) call.cancel(); });
    call.on('error', (e) => { assert.equal(e.code, grpc.status.CANCELLED); resolve(); });
  });
  await waitFor(() => backends[0].events.cancelled === 1, 5000, 'the server to see the call cancelled');
});

test('a server that dies mid-stream ends the client\'s call with an error, not a hang or a clean end', async (t) => {
  const { client, backends } = await setUp(t);
  const outcome = await new Promise((resolve) => {
    const call = client.makeServerStreamRequest(service.Count.path, bytes.serialize, bytes.deserialize, Buffer.from('100000000'));
    let n = 0;
    call.on('data', () => { n += 1; if (n === 100) backends[0].kill(); });
    call.on('end', () => resolve('end'));
    call.on('error', (e) => resolve(e.code));
  });
  assert.notEqual(outcome, 'end');
  assert.notEqual(outcome, grpc.status.OK);
});

test('calls are spread over the group\'s servers, and a stopped server\'s calls go to the other', async (t) => {
  const { client, backends } = await setUp(t, 2);
  const first = await Promise.all(Array.from({ length: 20 }, () => unary(client, 'Say', 'x')));
  const by = (answers) => new Set(answers.map((a) => a.message.split(' ')[2]));
  assert.deepEqual([...by(first)].sort(), ['server-0', 'server-1']);

  backends[1].kill();
  const after = await Promise.all(Array.from({ length: 20 }, () => unary(client, 'Say', 'y')));
  assert.deepEqual([...by(after)], ['server-0']);
});

test('an HTTP/1.1 client is told the gRPC group needs HTTP/2', async (t) => {
  const { port, backends } = await setUp(t);
  const answer = await new Promise((resolve, reject) => {
    https.get({ host: '127.0.0.1', port, servername: 'grpc.test', path: '/', rejectUnauthorized: false, headers: { host: 'grpc.test' } },
      (res) => {
        let text = '';
        res.on('data', (d) => { text += d; });
        res.on('end', () => resolve({ status: res.statusCode, text }));
      }).on('error', reject);
  });
  assert.equal(answer.status, 502);
  assert.match(answer.text, /gRPC, which needs HTTP\/2/);
  assert.equal(backends[0].events.calls, 0);
});

test('gRPC health checks call the server over HTTP/2 and judge its grpc-status by HealthCheckCodes', async (t) => {
  const check = {
    HealthCheckEnabled: true, HealthCheckProtocol: 'gRPC', HealthCheckMethod: 'POST', HealthCheckPath: '/grpc.health.v1.Health/Check',
    HealthCheckCodes: ['0'], HealthCheckInterval: 1, HealthCheckTimeout: 1, HealthyThreshold: 2, UnhealthyThreshold: 2,
  };
  const { server, alb, backends, groupId, listenerId, client } = await setUp(t, 2, { HealthCheckConfig: check });
  const nonNormal = async () => {
    const { body } = await alb.getListenerHealthStatus(new Alb.GetListenerHealthStatusRequest({ listenerId }));
    return body.listenerHealthStatus[0].serverGroupInfos[0].nonNormalServers;
  };
  await waitFor(async () => (await nonNormal()).length === 0 && backends.every((b) => b.events.checks.length >= 2),
    10000, 'both servers Healthy by their gRPC health service');
  assert.match(backends[0].events.checks[0].userAgent, /^openalb-health-check/);

  // A path the servers do not serve answers UNIMPLEMENTED (12): outside "0", so Unhealthy.
  await server.waitJob((await alb.updateServerGroupAttribute(model('UpdateServerGroupAttributeRequest', {
    ServerGroupId: groupId, HealthCheckConfig: { HealthCheckPath: '/no.Such/Method' },
  }))).body.jobId);
  const mismatched = await waitFor(async () => {
    const servers = await nonNormal();
    return servers.length === 2 && servers.every((s) => s.reason?.reasonCode === 'RESPONSE_MISMATCH') && servers;
  }, 10000, 'both servers Unhealthy by their answer');
  assert.equal(mismatched[0].reason.actualResponse, String(grpc.status.UNIMPLEMENTED));
  assert.equal(mismatched[0].reason.expectedResponse, '0');

  // "0-99" takes any gRPC answer; then a stopped server is the one out, and calls avoid it.
  await server.waitJob((await alb.updateServerGroupAttribute(model('UpdateServerGroupAttributeRequest', {
    ServerGroupId: groupId, HealthCheckConfig: { HealthCheckCodes: ['0-99'] },
  }))).body.jobId);
  await waitFor(async () => (await nonNormal()).length === 0, 10000, 'both servers Healthy again');
  backends[1].kill();
  const down = await waitFor(async () => (await nonNormal()).find((s) => s.port === backends[1].port && s.status === 'Unhealthy'),
    10000, 'the stopped server Unhealthy');
  assert.equal(down.reason.reasonCode, 'CONNECT_FAIL');
  const answers = await Promise.all(Array.from({ length: 10 }, () => unary(client, 'Say', 'z')));
  answers.forEach((a) => assert.equal(a.message, 'z from server-0 via https'));
});
