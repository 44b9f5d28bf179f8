// GET /metrics on the admin address, as Prometheus scrapes it: the text format parses, the
// OpenAPI's counters move with the calls made (by action and code, authentication failures
// apart, the latency histogram counting every answer), and with an admin token set only a
// scraper presenting it is answered while /healthz stays open for probes; the data plane's
// gauges (listeners served, connections held, certificates' days to expiry) follow what
// happens; the listeners' counters move with real HTTPS, HTTP/2 and HTTP/3 traffic (handshakes
// by version and key, requests by status class, body bytes, latencies), server health follows
// a server stopped, and jobs and store commits are counted.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { Server, rejection } = require('./harness');
const { presented, probeMissing } = require('./quic_probe');

const TOKEN = 'scrape-me-0123456789';

function get(port, path, headers = {}) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, headers }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    }).on('error', reject);
  });
}

// The samples of a Prometheus text page: { 'name{labels}': value }, and the families' types.
function parse(text) {
  const samples = {};
  const types = {};
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE (\S+) (counter|gauge|histogram)$/.exec(line);
    if (type) { types[type[1]] = type[2]; continue; }
    if (line.startsWith('# HELP ')) continue;
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})? (\S+)$/.exec(line);
    assert.ok(sample, `not a sample line: ${line}`);
    samples[sample[1] + (sample[2] || '')] = Number(sample[3]);
  }
  return { samples, types };
}

test('/metrics counts OpenAPI requests by action and code, and asks for the admin token', async (t) => {
  const server = await Server.start({ args: ['--admin-listen', '127.0.0.1:0', '--admin-token', TOKEN] });
  t.after(() => server.stop());
  const adminPort = Number(/event=admin_listening address=\S+ port=(\d+)/.exec(server.stderr)[1]);

  // Without the token (or with another): 401 asking for Bearer; probes stay open.
  const bare = await get(adminPort, '/metrics');
  assert.equal(bare.status, 401);
  assert.match(bare.headers['www-authenticate'], /^Bearer /);
  assert.equal((await get(adminPort, '/metrics', { authorization: `Bearer ${TOKEN}x` })).status, 401);
  assert.equal((await get(adminPort, '/metrics', { authorization: TOKEN })).status, 401);
  assert.equal((await get(adminPort, '/healthz')).status, 200);
  const scrape = async () => {
    const page = await get(adminPort, '/metrics', { authorization: `Bearer ${TOKEN}` });
    assert.equal(page.status, 200);
    assert.equal(page.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    assert.ok(!page.body.includes(TOKEN) && !page.body.includes(server.credentials.AccessKeySecret), 'no secret on the page');
    return parse(page.body);
  };

  const before = await scrape();
  assert.equal(before.types.openalb_api_requests_total, 'counter');
  assert.equal(before.types.openalb_api_request_duration_seconds, 'histogram');
  const nodeId = /node_id=(\S+)/.exec((await get(adminPort, '/healthz')).body)[1];
  const info = Object.entries(before.samples).find(([k]) => k.startsWith('openalb_build_info{'));
  assert.match(info[0], new RegExp(`^openalb_build_info\\{version="\\d+\\.\\d+\\.\\d+",node_id="${nodeId}"\\}$`));
  assert.equal(info[1], 1);

  for (let i = 0; i < 3; ++i) await server.call('DescribeRegions');
  await rejection(() => server.call('GetListenerAttribute', { ListenerId: 'lsn-nothere' }));
  await rejection(() => server.pop({ accessKeySecret: 'wrong-secret' }).request('DescribeRegions', {}, { method: 'POST' }));
  await rejection(() => server.call('NoSuchAction<b>'));

  const after = await scrape();
  const delta = (name) => (after.samples[name] || 0) - (before.samples[name] || 0);
  assert.equal(delta('openalb_api_requests_total{action="DescribeRegions",code="Success"}'), 3);
  assert.equal(delta('openalb_api_requests_total{action="GetListenerAttribute",code="ResourceNotFound.Listener"}'), 1);
  assert.equal(delta('openalb_api_requests_total{action="DescribeRegions",code="SignatureDoesNotMatch"}'), 1);
  assert.equal(delta('openalb_api_authentication_failures_total{code="SignatureDoesNotMatch"}'), 1);
  assert.ok(!Object.keys(after.samples).some((k) => k.includes('NoSuchAction')), 'an unknown action is not a series of its own');
  assert.equal(delta('openalb_api_request_duration_seconds_count'), 6);
  // Histogram buckets are cumulative and end at the count.
  const buckets = Object.entries(after.samples).filter(([k]) => k.startsWith('openalb_api_request_duration_seconds_bucket'));
  for (let i = 1; i < buckets.length; ++i) assert.ok(buckets[i][1] >= buckets[i - 1][1]);
  assert.equal(buckets.at(-1)[0], 'openalb_api_request_duration_seconds_bucket{le="+Inf"}');
  assert.equal(buckets.at(-1)[1], after.samples.openalb_api_request_duration_seconds_count);
});

test('/metrics shows the listeners served, the connections held and each certificate\'s days to expiry', async (t) => {
  const server = await Server.start({ args: ['--admin-listen', '127.0.0.1:0'] });
  t.after(() => server.stop());
  const adminPort = Number(/event=admin_listening address=\S+ port=(\d+)/.exec(server.stderr)[1]);
  const scrape = async () => parse((await get(adminPort, '/metrics')).body).samples;
  const certificateId = await server.uploadCertificate('www.metrics.test', { days: 30 });
  const { listenerId, port } = await server.listener({ protocol: 'HTTPS', port: 443, certificateId });

  const tls = require('node:tls');
  const socket = await new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, servername: 'www.metrics.test', rejectUnauthorized: false }, () => resolve(s));
    s.on('error', reject);
  });
  const open = await scrape();
  assert.equal(open[`openalb_listener_served{listener_id="${listenerId}",protocol="HTTPS"}`], 1);
  const days = open[`openalb_certificate_expiry_days{certificate_id="${certificateId}"}`];
  assert.ok(days > 29 && days <= 30.001, `days to expiry ${days}`);
  const held = open['openalb_dataplane_connections{state="active"}'] + open['openalb_dataplane_connections{state="idle"}'];
  assert.equal(held, 1, 'the one TLS connection');
  assert.equal(open.openalb_dataplane_buffered_request_bytes, 0);
  assert.ok(!Object.keys(open).some((k) => k.includes('www.metrics.test')), 'no label carries a name a client sent');

  socket.destroy();
  await require('./harness').waitFor(async () => {
    const after = await scrape();
    return after['openalb_dataplane_connections{state="active"}'] + after['openalb_dataplane_connections{state="idle"}'] === 0;
  }, 5000, 'the connection to be gone from the gauge');
  await server.waitJob((await server.call('DeleteListener', { ListenerId: listenerId })).JobId);
  assert.equal((await scrape())[`openalb_listener_served{listener_id="${listenerId}",protocol="HTTPS"}`], undefined);
});

// A request over HTTPS with Node's own client: { status, body }.
function httpsGet(port, path, agent) {
  return new Promise((resolve, reject) => {
    require('node:https').get({ host: '127.0.0.1', port, path, servername: 'www.counted.test', rejectUnauthorized: false, agent }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    }).on('error', reject);
  });
}

test('/metrics counts the data plane\'s handshakes, requests by status class, bytes, latencies and server health', async (t) => {
  const backend = http.createServer((req, res) => {
    let size = 0;
    req.on('data', (d) => { size += d.length; });
    req.on('end', () => {
      if (req.url.startsWith('/missing')) { res.writeHead(404); res.end('no'); return; }
      res.end(`ok ${size}`);
    });
  });
  await new Promise((r) => backend.listen(0, '127.0.0.1', r));
  t.after(() => backend.close());
  const server = await Server.start({ args: ['--admin-listen', '127.0.0.1:0'] });
  t.after(() => server.stop());
  const adminPort = Number(/event=admin_listening address=\S+ port=(\d+)/.exec(server.stderr)[1]);
  const scrape = async () => parse((await get(adminPort, '/metrics')).body);
  const certificateId = await server.uploadCertificate('www.counted.test');
  const { loadBalancerId, listenerId, serverGroupId, port } = await server.listener(
    { protocol: 'HTTPS', port: 443, certificateId, backendPort: backend.address().port });
  const ids = `load_balancer_id="${loadBalancerId}",listener_id="${listenerId}"`;
  const before = await scrape();
  assert.equal(before.types.openalb_tls_handshakes_total, 'counter');
  assert.equal(before.types.openalb_dataplane_request_duration_seconds, 'histogram');
  assert.equal(before.samples[`openalb_dataplane_requests_total{${ids},code_class="2xx"}`], 0);

  // HTTP/1.1: three requests on one kept-alive connection (one handshake), a 404 on it too.
  const agent = new (require('node:https').Agent)({ keepAlive: true, maxSockets: 1 });
  for (let i = 0; i < 3; ++i) assert.equal((await httpsGet(port, '/', agent)).status, 200);
  assert.equal((await httpsGet(port, '/missing', agent)).status, 404);
  agent.destroy();
  // HTTP/2: a POST with a 1,000-byte body, and a 404.
  const http2 = require('node:http2');
  const session = http2.connect(`https://127.0.0.1:${port}`, { servername: 'www.counted.test', rejectUnauthorized: false });
  const h2 = (headers, body) => new Promise((resolve, reject) => {
    const stream = session.request(headers);
    let status = 0;
    let text = '';
    stream.on('response', (h) => { status = h[':status']; });
    stream.on('data', (d) => { text += d; });
    stream.on('end', () => resolve({ status, text }));
    stream.on('error', reject);
    stream.end(body);
  });
  assert.deepEqual(await h2({ ':method': 'POST', ':path': '/upload' }, 'x'.repeat(1000)), { status: 200, text: 'ok 1000' });
  assert.equal((await h2({ ':path': '/missing' })).status, 404);
  session.close();
  // A client that speaks plain HTTP to the TLS port: a handshake refused by TLS.
  await new Promise((resolve) => {
    const s = require('node:net').connect(port, '127.0.0.1', () => s.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    s.on('data', () => {});
    s.on('close', resolve);
    s.on('error', resolve);
  });

  let after;
  await require('./harness').waitFor(async () => {
    after = await scrape();
    return after.samples[`openalb_dataplane_requests_total{${ids},code_class="4xx"}`] === 2;
  }, 5000, 'the h2 stream to be counted once closed');
  const s = after.samples;
  const delta = (name) => (s[name] || 0) - (before.samples[name] || 0);
  assert.equal(delta(`openalb_dataplane_requests_total{${ids},code_class="2xx"}`), 4);
  assert.equal(delta(`openalb_dataplane_requests_total{${ids},code_class="4xx"}`), 2);
  assert.equal(delta(`openalb_dataplane_requests_total{${ids},code_class="5xx"}`), 0);
  assert.equal(delta(`openalb_dataplane_request_duration_seconds_count{${ids}}`), 6);
  assert.ok(delta(`openalb_dataplane_request_duration_seconds_sum{${ids}}`) > 0);
  assert.equal(delta(`openalb_upstream_response_duration_seconds_count{${ids}}`), 6);
  assert.ok(delta(`openalb_upstream_connect_duration_seconds_count{${ids}}`) >= 1);
  assert.equal(delta(`openalb_dataplane_body_bytes_total{${ids},direction="in"}`), 1000);
  // Answers: "ok 0" three times, "no" twice, "ok 1000" once.
  assert.equal(delta(`openalb_dataplane_body_bytes_total{${ids},direction="out"}`), 3 * 4 + 2 * 2 + 7);
  // Two handshakes (the HTTP/1.1 and HTTP/2 connections), both TLS 1.3 would need the
  // strict policy: the default policy (tls_cipher_policy_1_0) negotiates TLS 1.2.
  assert.equal(delta(`openalb_tls_handshakes_total{${ids},version="TLSv1.2",key_type="ECDSA",resumed="false"}`), 2);
  assert.equal(delta(`openalb_tls_handshake_failures_total{${ids},reason="protocol"}`), 1);
  assert.equal(delta(`openalb_tls_certificate_served_total{${ids},certificate_id="${certificateId}"}`), 2);
  assert.equal(delta(`openalb_dataplane_connections_accepted_total{${ids},protocol="HTTPS"}`), 3);
  assert.equal(delta(`openalb_dataplane_connections_refused_total{${ids},reason="acl"}`), 0);

  // Active health checks: the server shows healthy, then unhealthy once it is stopped.
  await server.enableHealthCheck(serverGroupId);
  const serverLabel = `server_group_id="${serverGroupId}",server="127.0.0.1:${backend.address().port}"`;
  await require('./harness').waitFor(async () => (await scrape()).samples[`openalb_server_health{${serverLabel},state="healthy"}`] === 1,
    10000, 'the server to show healthy');
  backend.close();
  backend.closeAllConnections();
  await require('./harness').waitFor(async () => (await scrape()).samples[`openalb_server_health{${serverLabel},state="unhealthy"}`] === 1,
    15000, 'the stopped server to show unhealthy');
  const health = (await scrape()).samples;
  assert.equal(health[`openalb_server_health{${serverLabel},state="healthy"}`], 0);
  assert.ok(health[`openalb_health_probes_total{${serverLabel},result="fail"}`] >= 2);
  assert.ok(health[`openalb_health_probes_total{${serverLabel},result="pass"}`] >= 1);
});

test('/metrics counts jobs by action and result, pending jobs, and the store\'s commits', async (t) => {
  // Jobs run 400 ms after they are created: long enough to be seen pending.
  const server = await Server.start({ args: ['--admin-listen', '127.0.0.1:0', '--job-delay', '400ms'] });
  t.after(() => server.stop());
  const adminPort = Number(/event=admin_listening address=\S+ port=(\d+)/.exec(server.stderr)[1]);
  const scrape = async () => parse((await get(adminPort, '/metrics')).body);
  const before = await scrape();
  assert.equal(before.types.openalb_jobs_settled_total, 'counter');
  assert.equal(before.types.openalb_store_commit_duration_seconds, 'histogram');
  const created = await server.call('CreateLoadBalancer', { LoadBalancerName: 'counted', LoadBalancerEdition: 'Standard' });
  assert.equal((await scrape()).samples.openalb_jobs_pending, 1);
  await server.waitJob(created.JobId);
  const { samples } = await scrape();
  assert.equal(samples.openalb_jobs_pending, 0);
  assert.equal(samples['openalb_jobs_settled_total{api="CreateLoadBalancer",result="Succeeded"}'], 1);
  assert.equal(samples.openalb_job_duration_seconds_count - (before.samples.openalb_job_duration_seconds_count || 0), 1);
  // It waited its 400 ms: the histogram's sum says so.
  assert.ok(samples.openalb_job_duration_seconds_sum >= 0.4, `job took ${samples.openalb_job_duration_seconds_sum} s`);
  assert.ok(samples['openalb_store_writes_total{engine="sqlite",result="ok"}'] >= before.samples['openalb_store_writes_total{engine="sqlite",result="ok"}'] + 2,
    'the create and the job\'s end were writes');
  assert.ok(samples['openalb_store_commit_duration_seconds_count{engine="sqlite"}'] > 0);
});

test('/metrics counts a QUIC listener\'s connections, TLS 1.3 handshakes and HTTP/3 requests', { skip: probeMissing }, async (t) => {
  const backend = http.createServer((req, res) => res.end('h3 ok'));
  await new Promise((r) => backend.listen(0, '127.0.0.1', r));
  t.after(() => backend.close());
  const server = await Server.start({ args: ['--admin-listen', '127.0.0.1:0'] });
  t.after(() => server.stop());
  const adminPort = Number(/event=admin_listening address=\S+ port=(\d+)/.exec(server.stderr)[1]);
  const certificateId = await server.uploadCertificate('quic.counted.test');
  const { loadBalancerId, listenerId, port } = await server.listener(
    { protocol: 'QUIC', port: 443, certificateId, backendPort: backend.address().port });
  const { answers } = await presented(port, 'quic.counted.test', { gets: ['/a', '/b'] });
  assert.equal(answers.length, 2);
  const ids = `load_balancer_id="${loadBalancerId}",listener_id="${listenerId}"`;
  let samples;
  await require('./harness').waitFor(async () => {
    samples = parse((await get(adminPort, '/metrics')).body).samples;
    return samples[`openalb_dataplane_requests_total{${ids},code_class="2xx"}`] === 2;
  }, 5000, 'both HTTP/3 requests to be counted once their streams closed');
  assert.equal(samples[`openalb_dataplane_connections_accepted_total{${ids},protocol="QUIC"}`], 1);
  assert.equal(samples[`openalb_tls_handshakes_total{${ids},version="TLSv1.3",key_type="ECDSA",resumed="false"}`], 1);
  assert.equal(samples[`openalb_tls_certificate_served_total{${ids},certificate_id="${certificateId}"}`], 1);
  assert.equal(samples[`openalb_dataplane_body_bytes_total{${ids},direction="out"}`], 2 * 'h3 ok'.length);
  assert.equal(samples[`openalb_upstream_response_duration_seconds_count{${ids}}`], 2);
});

test('the admin address is 127.0.0.1:9901 by default; a second server on the host runs without one, and off turns it off', async (t) => {
  const first = await Server.start({ adminDefault: true });
  t.after(() => first.stop());
  assert.equal(first.adminPort, 9901, first.stderr);
  const health = await get(9901, '/healthz');
  assert.equal(health.status, 200);
  assert.equal((await get(9901, '/metrics')).status, 200, 'no token set: /metrics is open (on loopback)');
  // The default taken: the second server says so and serves its API all the same.
  const second = await Server.start({ adminDefault: true });
  t.after(() => second.stop());
  assert.equal(second.adminPort, undefined);
  assert.match(second.stderr, /event=admin_not_listening address=127\.0\.0\.1:9901 /);
  await second.call('DescribeRegions');
  // Asked for by name, a taken address is an error; off starts none.
  const taken = await rejection(() => Server.start({ args: ['--admin-listen', '127.0.0.1:9901'] }));
  assert.match(taken.message, /9901/);
  const off = await Server.start({ args: ['--admin-listen', 'off'] });
  t.after(() => off.stop());
  assert.equal(off.adminPort, undefined);
  assert.doesNotMatch(off.stderr, /admin_/);
});

test('--dataplane-metrics off: listeners count nothing, and a value other than on or off is refused at start', async (t) => {
  const backend = http.createServer((req, res) => res.end('ok'));
  await new Promise((r) => backend.listen(0, '127.0.0.1', r));
  t.after(() => backend.close());
  const server = await Server.start({ args: ['--dataplane-metrics', 'off'] });
  t.after(() => server.stop());
  const { listenerId, port } = await server.listener({ protocol: 'HTTP', port: 80, backendPort: backend.address().port });
  const status = await new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/' }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode)); }).on('error', reject);
  });
  assert.equal(status, 200);
  const { samples } = parse((await get(server.adminPort, '/metrics')).body);
  const served = Object.keys(samples).find((k) => k.startsWith('openalb_dataplane_requests_total{') && k.includes(listenerId) && k.includes('"2xx"'));
  assert.ok(served, 'the series is there');
  assert.equal(samples[served], 0, 'but nothing was counted');
  const refused = await rejection(() => Server.start({ args: ['--dataplane-metrics', 'sometimes'] }));
  assert.match(refused.message, /--dataplane-metrics sometimes is neither on nor off/);
});
