// The OpenAPI endpoint as the official SDKs meet it: V3 (@alicloud/alb20200616) and V1
// (@alicloud/pop-core, GET and POST) against a real openalb process.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const { Server, Alb, waitFor, rejection } = require('./harness');

const UUID_UPPER = /^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$/;

test('the ALB SDK (V3 signature) calls DescribeRegions', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const response = await server.alb().describeRegions(new Alb.DescribeRegionsRequest({ acceptLanguage: 'en-US' }));
  assert.equal(response.statusCode, 200);
  assert.match(response.body.requestId, UUID_UPPER);
  assert.equal(response.body.regions.length, 1);
  assert.equal(response.body.regions[0].regionId, 'cn-hangzhou');
  assert.equal(response.body.regions[0].regionEndpoint, server.endpoint);
});

test('pop-core (V1 signature) calls DescribeRegions by GET and by POST form', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const client = server.pop();
  const awkward = 'a b*~+/=&é中?%';
  const viaGet = await client.request('DescribeRegions', { AcceptLanguage: awkward }, {});
  assert.equal(viaGet.Regions[0].RegionId, 'cn-hangzhou');
  assert.match(viaGet.RequestId, UUID_UPPER);
  const viaPost = await client.request('DescribeRegions',
    { AcceptLanguage: awkward, Certificates: [{ CertificateId: awkward }] }, { method: 'POST' });
  assert.equal(viaPost.Regions[0].RegionId, 'cn-hangzhou');
  assert.notEqual(viaPost.RequestId, viaGet.RequestId);
});

test('a wrong secret is SignatureDoesNotMatch, as each SDK reports it', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const v3 = await rejection(() => server.alb({ accessKeySecret: 'not-the-secret' })
    .describeRegions(new Alb.DescribeRegionsRequest({})));
  assert.equal(v3.code, 'SignatureDoesNotMatch');
  assert.equal(v3.statusCode, 400);
  assert.match(v3.data.RequestId, UUID_UPPER);

  const v1 = await rejection(() => server.pop({ accessKeySecret: 'not-the-secret' }).request('DescribeRegions', {}, {}));
  assert.equal(v1.code, 'SignatureDoesNotMatch');
  assert.equal(v1.entry.response.statusCode, 400);
  assert.match(v1.data.Message, /server string to sign is:GET&%2F&AccessKeyId/);
  assert.equal(v1.data.HostId, server.endpoint);
  assert.ok(v1.data.Recommend.includes('SignatureDoesNotMatch'));
});

test('an unknown AccessKey is InvalidAccessKeyId.NotFound with HTTP 404', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const e = await rejection(() => server.alb({ accessKeyId: 'LTAIdoesnotexist0000000' })
    .describeRegions(new Alb.DescribeRegionsRequest({})));
  assert.equal(e.code, 'InvalidAccessKeyId.NotFound');
  assert.equal(e.statusCode, 404);
});

test('an action openalb does not serve is InvalidAction.NotFound with HTTP 404', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const e = await rejection(() => server.pop().request('DescribeTheMoon', {}, {}));
  assert.equal(e.code, 'InvalidAction.NotFound');
  assert.equal(e.entry.response.statusCode, 404);
});

test('keys created, disabled and deleted with the CLI take effect on the running server', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const created = server.cli('keys', 'create');
  const id = /AccessKeyId:\s+(\S+)/.exec(created)[1];
  const secret = /AccessKeySecret:\s+(\S+)/.exec(created)[1];
  const client = () => server.alb({ accessKeyId: id, accessKeySecret: secret });
  await client().describeRegions(new Alb.DescribeRegionsRequest({}));  // usable at once

  const listed = server.cli('keys', 'list');
  assert.ok(listed.includes(id));
  assert.ok(listed.includes(server.credentials.AccessKeyId));
  assert.ok(!listed.includes(secret), 'keys list must never print a secret');

  server.cli('keys', 'disable', id);
  await waitFor(async () => {
    const e = await rejection(() => client().describeRegions(new Alb.DescribeRegionsRequest({}))).catch(() => null);
    return e && e.code === 'InvalidAccessKeyId.Inactive' && e.statusCode === 400;
  }, 5000, 'the disabled key to be refused');

  server.cli('keys', 'delete', id);
  await waitFor(async () => {
    const e = await rejection(() => client().describeRegions(new Alb.DescribeRegionsRequest({}))).catch(() => null);
    return e && e.code === 'InvalidAccessKeyId.NotFound';
  }, 5000, 'the deleted key to be refused');
  // The root key still works.
  await server.alb().describeRegions(new Alb.DescribeRegionsRequest({}));
});

test('an AccessKey over --rate-limit gets Throttling.User (400); other keys are not slowed', async (t) => {
  const server = await Server.start({ args: ['--rate-limit', '2', '--rate-limit-burst', '5'] });
  t.after(() => server.stop());
  const other = server.cli('keys', 'create');
  const client = server.pop();
  const outcomes = await Promise.all(Array.from({ length: 15 }, () =>
    client.request('DescribeRegions', {}, {}).then(() => 'ok', (e) => `${e.code} ${e.entry?.response?.statusCode}`)));
  // At least the burst; the exact count under a pinned clock is EndpointTest's.
  const served = outcomes.filter((o) => o === 'ok').length;
  assert.ok(served >= 5 && served < 15, `served ${served}: ${outcomes}`);
  assert.deepEqual([...new Set(outcomes.filter((o) => o !== 'ok'))], ['Throttling.User 400']);
  // Another key has its own bucket.
  const id = /AccessKeyId:\s+(\S+)/.exec(other)[1];
  const secret = /AccessKeySecret:\s+(\S+)/.exec(other)[1];
  const { body } = await server.alb({ accessKeyId: id, accessKeySecret: secret }).describeRegions(new Alb.DescribeRegionsRequest({}));
  assert.equal(body.regions.length, 1);
  // And the first key is served again once tokens come back (2 a second).
  await waitFor(() => client.request('DescribeRegions', {}, {}).then(() => true, () => false),
    5000, 'a token to come back');
});

test('first start prints the root key once; a restart keeps the account and prints nothing', async () => {
  const dataDir = fs.mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'openalb-restart-'));
  const first = await Server.start({ dataDir });
  const { credentials } = first;
  assert.ok(first.stdout.includes(credentials.AccessKeySecret));
  assert.match(credentials.AccountId, /^[1-9][0-9]{15}$/);
  assert.equal(fs.statSync(`${dataDir}/credentials.json`).mode & 0o777, 0o600);
  await first.stop();

  const second = await Server.start({ dataDir });
  try {
    assert.equal(second.stdout, '');
    assert.deepEqual(second.credentials, credentials);
    await second.alb().describeRegions(new Alb.DescribeRegionsRequest({}));
    // The log line reaches us through the server's stderr pipe, maybe after the response.
    const line = /event=request request_id=[0-9A-F-]{36} method=POST action=DescribeRegions access_key_id=LTAI\S+ remote=127\.0\.0\.1 status=200 code=- latency_us=\d+/;
    await waitFor(() => line.test(second.stderr), 5000, 'the access log line');
    assert.ok(!second.stderr.includes(credentials.AccessKeySecret), 'the log must never carry a secret');
  } finally {
    await second.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('SIGTERM stops the server cleanly', async () => {
  const server = await Server.start();
  const { code } = await server.stop();
  assert.equal(code, 0);
  assert.match(server.stderr, /event=stopped/);
});

// Raw HTTP, for what no SDK would send.
function raw(port, text) {
  return new Promise((resolve, reject) => {
    const socket = require('node:net').connect(port, '127.0.0.1', () => socket.end(text));
    let data = '';
    socket.on('data', (d) => (data += d));
    socket.on('close', () => resolve(data));
    // The server may answer and close before it has read all we send (say, a body over
    // its limit); what counts is the answer it gave.
    socket.on('error', (e) => (['EPIPE', 'ECONNRESET'].includes(e.code) ? null : reject(e)));
  });
}

test('malformed and oversized HTTP gets a clean 4xx and the server keeps serving', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  assert.match(await raw(server.port, 'NOT HTTP AT ALL\r\n\r\n'), /^HTTP\/1\.1 400 /);
  const huge = 'A'.repeat(2 * 1024 * 1024);
  const tooBig = await raw(server.port,
    `POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${huge.length}\r\n\r\n${huge}`);
  assert.match(tooBig, /^HTTP\/1\.1 413 /);
  assert.match(tooBig, /"Code":"RequestEntityTooLarge"/);
  const longHeader = await raw(server.port, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(64 * 1024)}\r\n\r\n`);
  assert.match(longHeader, /^HTTP\/1\.1 431 /);
  const unsigned = await raw(server.port, 'GET /?Action=DescribeRegions HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  assert.match(unsigned, /^HTTP\/1\.1 400 /);
  assert.match(unsigned, /"Code":"MissingAccessKeyId"/);
  await server.alb().describeRegions(new Alb.DescribeRegionsRequest({}));
});

test('XML is returned when the request asks for it', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const body = await new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: server.port, path: '/?Action=DescribeRegions&Format=XML' }, (res) => {
      let data = '';
      res.on('data', (d) => (data += d));
      res.on('end', () => resolve({ status: res.statusCode, type: res.headers['content-type'], data }));
    }).on('error', reject);
  });
  assert.equal(body.status, 400);
  assert.equal(body.type, 'application/xml;charset=utf-8');
  assert.match(body.data, /^<\?xml version="1.0" encoding="UTF-8"\?><Error><RequestId>[0-9A-F-]{36}<\/RequestId><HostId>127\.0\.0\.1:\d+<\/HostId><Code>MissingAccessKeyId<\/Code>/);
});
