// GET /metrics on the admin address, as Prometheus scrapes it: the text format parses, the
// OpenAPI's counters move with the calls made (by action and code, authentication failures
// apart, the latency histogram counting every answer), and with an admin token set only a
// scraper presenting it is answered while /healthz stays open for probes; the data plane's
// gauges (listeners served, connections held, certificates' days to expiry) follow what
// happens.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { Server, rejection } = require('./harness');

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
