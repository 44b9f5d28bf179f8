// Hostile clients at the connection level: too many connections from one address or in all,
// and clients too slow with their headers, their body, or their next request. Each test
// checks that the hostile connection is refused or closed and that a well-behaved client
// is served meanwhile.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const net = require('node:net');
const { Server, Alb, waitFor } = require('./harness');

// Opens a raw connection from `localAddress` (any 127/8 address is this machine) and
// collects what the server sends until it closes.
function connect(port, localAddress = '127.0.0.1') {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host: '127.0.0.1', localAddress }, () => resolve(socket));
    socket.received = '';
    socket.ended = new Promise((r) => socket.on('close', () => r(socket.received)));
    socket.on('data', (d) => (socket.received += d));
    socket.on('error', (e) => (['EPIPE', 'ECONNRESET'].includes(e.code) ? null : reject(e)));
  });
}

// Resolves once the server closed `socket`, or rejects after `ms` (the test then fails
// instead of hanging: the server was meant to close it long before).
function closedWithin(socket, ms) {
  let timer;
  return Promise.race([
    socket.ended.finally(() => clearTimeout(timer)),
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`still open after ${ms} ms`)), ms); }),
  ]);
}

const describeRegions = (server) => server.alb().describeRegions(new Alb.DescribeRegionsRequest({}));

test('past --max-connections-per-client an address gets 429 Throttling; others and freed places are served', async (t) => {
  const server = await Server.start({ args: ['--max-connections-per-client', '8', '--max-connections', '12'] });
  t.after(() => server.stop());
  const held = [];
  for (let i = 0; i < 8; ++i) held.push(await connect(server.port));
  t.after(() => held.forEach((s) => s.destroy()));

  const ninth = await connect(server.port);
  const answer = await closedWithin(ninth, 10000);
  assert.match(answer, /^HTTP\/1\.1 429 /);
  assert.match(answer, /"Code":"Throttling"/);
  assert.match(answer, /limit 8/);
  assertEnvelope(answer, 429, 'Throttling');
  // The SDK from the same address is refused too; from another address it is served.
  await assert.rejects(describeRegions(server));
  const other = await connect(server.port, '127.0.0.2');
  other.end('GET /?Action=DescribeRegions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.match(await closedWithin(other, 10000), /"Code":"MissingAccessKeyId"/);

  // Past the total (12), every address is refused with 503.
  const more = [];
  for (let i = 0; i < 4; ++i) more.push(await connect(server.port, '127.0.0.3'));
  t.after(() => more.forEach((s) => s.destroy()));
  const overTotal = await connect(server.port, '127.0.0.4');
  assert.match(await closedWithin(overTotal, 10000), /^HTTP\/1\.1 503 [\s\S]*"Code":"ServiceUnavailable"/);

  // Giving places back lets the first address in again.
  held.splice(0, 2).forEach((s) => s.destroy());
  more.forEach((s) => s.destroy());
  await waitFor(async () => {
    try {
      return (await describeRegions(server)).statusCode === 200;
    } catch {
      return false;
    }
  }, 10000, 'a freed place to be usable');
  assert.match(server.stderr, /event=connection_refused client=127\.0\.0\.1 limit=per_client/);
});

test('a client that leaves kept-alive connections idle is not locked out: its oldest idle one makes room', async (t) => {
  const server = await Server.start({ args: ['--max-connections-per-client', '8'] });
  t.after(() => server.stop());
  // Eight connections that each made one request and now sit idle, kept alive, as SDK
  // clients leave them.
  const idle = [];
  for (let i = 0; i < 8; ++i) {
    const socket = await connect(server.port);
    socket.write('GET /?Action=DescribeRegions HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor(() => socket.received.includes('MissingAccessKeyId'), 10000, 'an answer');
    idle.push(socket);
  }
  t.after(() => idle.forEach((s) => s.destroy()));
  // Twenty more requests from the same address, each on a new connection it also leaves
  // open: all served, each new one taking the place of the oldest idle one.
  const fresh = [];
  t.after(() => fresh.forEach((s) => s.destroy()));
  for (let i = 0; i < 20; ++i) {
    const socket = await connect(server.port);
    fresh.push(socket);
    socket.write('GET /?Action=DescribeRegions HTTP/1.1\r\nHost: x\r\n\r\n');
    await waitFor(() => socket.received.includes('HTTP/1.1 4'), 10000, 'an answer');
    assert.match(socket.received, /^HTTP\/1\.1 400 [\s\S]*"Code":"MissingAccessKeyId"/);
  }
  // The first eight idle ones were closed to make room, each only after its answer.
  await Promise.all(idle.map((s) => closedWithin(s, 10000)));
  idle.forEach((s) => assert.equal((s.received.match(/HTTP\/1\.1/g) || []).length, 1));
  assert.equal((await describeRegions(server)).statusCode, 200);
});

test('slow headers, a stalled body and an idle connection are closed; the server keeps serving', async (t) => {
  const server = await Server.start({ args: ['--header-timeout', '700ms', '--body-timeout', '700ms', '--idle-timeout', '1s'] });
  t.after(() => server.stop());

  // Slowloris: a byte of the request line every 100 ms, for ever. The header deadline
  // counts from accept, so dripping does not keep the connection.
  const loris = await connect(server.port);
  const request = 'GET /?Action=DescribeRegions&Padding=' + 'x'.repeat(1000);
  let sent = 0;
  const drip = setInterval(() => !loris.destroyed && loris.write(request[sent++ % request.length]), 100);
  t.after(() => clearInterval(drip));
  // A connection that never sends anything.
  const silent = await connect(server.port);
  // A body that stops after 10 of 100 bytes.
  const stalled = await connect(server.port);
  stalled.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n' +
    'Content-Length: 100\r\n\r\nAction=Des');
  // A kept-alive connection after one complete request.
  const idle = await connect(server.port);
  idle.write('GET /?Action=DescribeRegions HTTP/1.1\r\nHost: x\r\n\r\n');

  // Meanwhile a real client is served.
  assert.equal((await describeRegions(server)).statusCode, 200);

  assert.equal(await closedWithin(loris, 15000), '', 'no answer to a request never finished');
  assert.ok(sent > 3, 'the client was still sending when it was cut off');
  assert.equal(await closedWithin(silent, 15000), '');
  assert.equal(await closedWithin(stalled, 15000), '');
  assert.match(await closedWithin(idle, 15000), /^HTTP\/1\.1 400 [\s\S]*"Code":"MissingAccessKeyId"/);
  // Still serving. (A new SDK client could pick the first call's kept-alive socket just as
  // the 1 s idle timeout closes it, so this asks on a connection of its own.)
  const after = await connect(server.port);
  after.end('GET /?Action=DescribeRegions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.match(await closedWithin(after, 10000), /"Code":"MissingAccessKeyId"/);
});

test('a body sent slowly but within --body-timeout is served', async (t) => {
  const server = await Server.start({ args: ['--header-timeout', '5s', '--body-timeout', '5s'] });
  t.after(() => server.stop());
  const socket = await connect(server.port);
  const body = 'Action=DescribeRegions&Version=2020-06-16';
  socket.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n`);
  for (const chunk of body.match(/.{1,10}/g)) {
    await new Promise((r) => setTimeout(r, 50));
    socket.write(chunk);
  }
  assert.match(await closedWithin(socket, 15000), /^HTTP\/1\.1 400 [\s\S]*"Code":"MissingAccessKeyId"/);
});

test('timeouts must be positive durations', async () => {
  await assert.rejects(Server.start({ args: ['--header-timeout', '0'] }), /must be positive/);
  await assert.rejects(Server.start({ args: ['--body-timeout', 'soon'] }), /body-timeout/);
});

// The envelope every OpenAPI error has: RequestId, HostId, Code, Message, Recommend, and the
// x-acs-request-id header carrying the same id.
function assertEnvelope(answer, status, code, format = 'json') {
  const [head, body] = answer.split('\r\n\r\n');
  assert.match(head, new RegExp(`^HTTP/1\\.1 ${status} `), answer.slice(0, 300));
  const id = /x-acs-request-id: ([0-9A-F-]{36})/i.exec(head);
  assert.ok(id, `no x-acs-request-id in ${head}`);
  if (format === 'json') {
    const parsed = JSON.parse(body);
    assert.equal(parsed.Code, code);
    assert.equal(parsed.RequestId, id[1]);
    for (const field of ['HostId', 'Message', 'Recommend']) assert.equal(typeof parsed[field], 'string', field);
  } else {
    assert.match(head, /Content-Type: application\/xml/i);
    assert.match(body, new RegExp(`<Code>${code}</Code>`));
    assert.match(body, new RegExp(`<RequestId>${id[1]}</RequestId>`));
    assert.match(body, /<HostId>[^<]*<\/HostId>/);
  }
}

async function exchange(server, wire) {
  const socket = await connect(server.port);
  socket.end(wire);
  return closedWithin(socket, 10000);
}

test('the 16 KiB header limit holds for the request line and headers together', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const many = Array.from({ length: 200 }, (_, i) => `X-Field-${String(i).padStart(3, '0')}: ${'v'.repeat(84)}\r\n`).join('');
  assertEnvelope(await exchange(server, `GET /?Action=DescribeRegions HTTP/1.1\r\nHost: x\r\n${many}\r\n`), 431,
    'RequestHeaderFieldsTooLarge');
  // Just under the limit in many fields is read and handled (here: refused for lack of a key).
  const fewer = Array.from({ length: 150 }, (_, i) => `X-Field-${String(i).padStart(3, '0')}: ${'v'.repeat(84)}\r\n`).join('');
  assert.match(await exchange(server, `GET /?Action=DescribeRegions HTTP/1.1\r\nHost: x\r\n${fewer}Connection: close\r\n\r\n`),
    /"Code":"MissingAccessKeyId"/);
});

test('requests refused by the HTTP layer get the usual error envelope, in XML when asked', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  assertEnvelope(await exchange(server, 'GET / HTTP/1.1\r\nHost x\r\n\r\n'), 400, 'MalformedRequest');
  assertEnvelope(await exchange(server, 'this is not http\r\n\r\n'), 400, 'MalformedRequest');
  assertEnvelope(await exchange(server, `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${2 << 20}\r\n\r\n`), 413,
    'RequestEntityTooLarge');
  const big = `X-Big: ${'b'.repeat(20000)}\r\n`;
  assertEnvelope(await exchange(server, `GET /?Format=XML HTTP/1.1\r\nHost: x\r\n${big}\r\n`), 431,
    'RequestHeaderFieldsTooLarge', 'xml');
  assertEnvelope(await exchange(server, `POST /?Action=X HTTP/1.1\r\nHost: x\r\nAccept: application/xml\r\nContent-Length: ${2 << 20}\r\n\r\n`),
    413, 'RequestEntityTooLarge', 'xml');
});
