// The data plane's access log, as an operator turns it on: EnableLoadBalancerAccessLog (ALB's
// switch) makes every listener of that load balancer write one JSON line per request to
// --dataplane-access-log, in ALB's field names — HTTP/1.1, HTTP/2 and HTTP/3 requests, answers
// openalb gave itself (404 from a server, 502 from a server that hung up), each with the
// certificate id served and the SNI sent; UpdateListenerLogConfig's
// AccessLogRecordCustomizedHeadersEnabled adds the request's headers, never its credentials;
// DisableLoadBalancerAccessLog stops it; a listener of another load balancer never logs; SIGHUP
// reopens the file after a rotation; /metrics counts the lines written.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const https = require('node:https');
const http2 = require('node:http2');
const { Server, waitFor } = require('./harness');
const { presented, probeMissing } = require('./quic_probe');

function lines(file) {
  if (!fs.existsSync(file)) return [];
  return fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

function get(port, requestPath, headers = {}) {
  return new Promise((resolve, reject) => {
    https.get({ host: '127.0.0.1', port, path: requestPath, servername: 'www.logged.test', rejectUnauthorized: false, headers, agent: false }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
}

async function backendServer(t) {
  const backend = http.createServer((req, res) => {
    if (req.url === '/hang-up') { req.socket.destroy(); return; }
    if (req.url === '/missing') { res.writeHead(404); res.end('nope'); return; }
    res.end('hello');
  });
  await new Promise((r) => backend.listen(0, '127.0.0.1', r));
  t.after(() => backend.close());
  return backend.address().port;
}

// A server writing its access log to a fresh file, and a backend.
async function setUp(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openalb-alog-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'access.log');
  const server = await Server.start({ args: ['--dataplane-access-log', file] });
  t.after(() => server.stop());
  return { file, server, backendPort: await backendServer(t) };
}

test('EnableLoadBalancerAccessLog makes its listeners write a JSON line per request, in ALB\'s fields', async (t) => {
  const { file, server, backendPort } = await setUp(t);
  const certificateId = await server.uploadCertificate('www.logged.test');
  const { loadBalancerId, listenerId, port } = await server.listener({ protocol: 'HTTPS', port: 443, certificateId, backendPort });
  const other = await server.listener({ protocol: 'HTTPS', port: 444, certificateId, backendPort });

  // Off by default: requests leave no line.
  assert.equal((await get(port, '/before')).status, 200);
  await new Promise((r) => setTimeout(r, 300));
  assert.deepEqual(lines(file), []);

  const { JobId } = await server.call('EnableLoadBalancerAccessLog', { LoadBalancerId: loadBalancerId, LogProject: 'p', LogStore: 's' });
  await server.waitJob(JobId);
  assert.equal((await get(port, '/hello?x=1', {
    'x-forwarded-for': '203.0.113.7', 'user-agent': 'log-test/1', 'x-b3-traceid': 'abc123', referer: 'https://ref.test/',
  })).status, 200);
  assert.equal((await get(port, '/missing')).status, 404);
  assert.equal((await get(port, '/hang-up')).status, 502);
  assert.equal((await get(other.port, '/other')).status, 200);  // another load balancer: no line
  const session = http2.connect(`https://127.0.0.1:${port}`, { servername: 'www.logged.test', rejectUnauthorized: false });
  await new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': '/h2' });
    stream.on('data', () => {});
    stream.on('end', resolve);
    stream.on('error', reject);
    stream.end('12345');
  });
  session.close();

  let logged;
  await waitFor(() => (logged = lines(file)).length === 4, 5000, 'four lines');
  const [hello, missing, hungUp, h2] = logged;
  for (const line of logged) {
    assert.equal(line.slbid, loadBalancerId);
    assert.equal(line.listener_id, listenerId);
    assert.equal(line.slb_vport, 443);
    assert.equal(line.client_ip, '127.0.0.1');
    assert.ok(line.client_port > 0);
    assert.equal(line.sni, 'www.logged.test');
    assert.equal(line.certificate_id, certificateId);
    assert.match(line.ssl_protocol, /^TLSv1\.[23]$/);
    assert.ok(line.ssl_cipher.length > 0);
    assert.match(line.time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.ok(line.request_time >= 0);
  }
  assert.equal(hello.request_method, 'GET');
  assert.equal(hello.request_uri, '/hello?x=1');
  assert.equal(hello.server_protocol, 'HTTP/1.1');
  assert.equal(hello.host, `127.0.0.1:${port}`);
  assert.equal(hello.status, 200);
  assert.equal(hello.body_bytes_sent, 5);
  assert.equal(hello.upstream_addr, `127.0.0.1:${backendPort}`);
  assert.equal(hello.upstream_status, 200);
  assert.ok(hello.upstream_response_time >= 0);
  assert.equal(hello.http_x_forwarded_for, '203.0.113.7', 'as the client sent it');
  assert.equal(hello.http_user_agent, 'log-test/1');
  assert.equal(hello.http_referer, 'https://ref.test/');
  assert.equal(hello.xtrace, 'abc123');
  assert.equal(hello.request_headers, undefined, 'headers only once the listener records them');
  assert.equal(missing.status, 404);
  assert.equal(missing.upstream_status, 404);
  assert.equal(hungUp.status, 502);
  assert.equal(hungUp.upstream_status, null, 'the server never answered');
  assert.equal(hungUp.upstream_response_time, null);
  assert.equal(hungUp.upstream_addr, `127.0.0.1:${backendPort}`);
  assert.equal(h2.server_protocol, 'HTTP/2.0');
  assert.equal(h2.request_method, 'POST');
  assert.equal(h2.request_uri, '/h2');
  assert.equal(h2.request_length, 5);
  assert.equal(h2.status, 200);

  // Custom headers: recorded, credentials left out; a client's odd bytes stay one JSON line.
  await server.waitJob((await server.call('UpdateListenerLogConfig', {
    ListenerId: listenerId, AccessLogRecordCustomizedHeadersEnabled: 'true' })).JobId);
  assert.equal((await get(port, '/with-headers', {
    authorization: 'Bearer very-secret', cookie: 'session=secret-cookie', 'x-custom': 'quote " and \\ and \u00e9',
  })).status, 200);
  await waitFor(() => (logged = lines(file)).length === 5, 5000, 'the fifth line');
  const withHeaders = logged[4];
  assert.equal(withHeaders.request_headers['x-custom'], Buffer.from('quote " and \\ and \u00e9', 'latin1').toString('latin1'));
  assert.equal(withHeaders.request_headers.authorization, undefined);
  assert.equal(withHeaders.request_headers.cookie, undefined);
  assert.ok(!fs.readFileSync(file, 'utf8').includes('very-secret') && !fs.readFileSync(file, 'utf8').includes('secret-cookie'));

  // Rotation: the file moved, SIGHUP, new lines in a new file.
  fs.renameSync(file, `${file}.1`);
  server.proc.kill('SIGHUP');
  await waitFor(() => /event=access_log_reopened/.test(server.stderr), 5000, 'the reopen');
  assert.equal((await get(port, '/after-rotation')).status, 200);
  await waitFor(() => lines(file).length === 1, 5000, 'a line in the new file');
  assert.equal(lines(file)[0].request_uri, '/after-rotation');
  assert.equal(lines(`${file}.1`).length, 5);

  // Disabled (no JobId, as on ALB): no more lines once its job has re-applied the listeners.
  const disabled = await server.call('DisableLoadBalancerAccessLog', { LoadBalancerId: loadBalancerId });
  assert.equal(disabled.JobId, undefined);
  await waitFor(async () => (await server.call('ListAsynJobs', { ApiName: 'DisableLoadBalancerAccessLog' })).Jobs
    .every((j) => j.Status === 'Succeeded'), 5000, 'the disable to apply');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal((await get(port, '/after-disable')).status, 200);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(lines(file).length, 1);

  const metrics = await new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: server.adminPort, path: '/metrics' }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
  assert.match(metrics, /^openalb_access_log_lines_total\{outcome="written"\} 6$/m);
  assert.match(metrics, /^openalb_access_log_lines_total\{outcome="dropped"\} 0$/m);
});

test('a QUIC listener\'s HTTP/3 requests are logged with the certificate served', { skip: probeMissing }, async (t) => {
  const { file, server, backendPort } = await setUp(t);
  const certificateId = await server.uploadCertificate('quic.logged.test');
  const { loadBalancerId, listenerId, port } = await server.listener({ protocol: 'QUIC', port: 443, certificateId, backendPort });
  await server.waitJob((await server.call('EnableLoadBalancerAccessLog', { LoadBalancerId: loadBalancerId, LogProject: 'p', LogStore: 's' })).JobId);
  const { answers } = await presented(port, 'quic.logged.test', { gets: ['/h3'] });
  assert.equal(answers.length, 1);
  let logged;
  await waitFor(() => (logged = lines(file)).length === 1, 5000, 'the HTTP/3 line');
  const [line] = logged;
  assert.equal(line.listener_id, listenerId);
  assert.equal(line.server_protocol, 'HTTP/3.0');
  assert.equal(line.ssl_protocol, 'TLSv1.3');
  assert.match(line.ssl_cipher, /^TLS_/);
  assert.equal(line.sni, 'quic.logged.test');
  assert.equal(line.certificate_id, certificateId);
  assert.equal(line.request_uri, '/h3');
  assert.equal(line.status, 200);
  assert.equal(line.upstream_status, 200);
  assert.equal(line.upstream_addr, `127.0.0.1:${backendPort}`);
  assert.equal(line.body_bytes_sent, 5);
});
