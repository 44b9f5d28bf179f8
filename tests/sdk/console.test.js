// The web console on the admin address, driven by a real browser (Debian's Chromium, headless,
// through playwright-core): signing in with the admin token through the form (the token never
// in a URL, the session cookie out of JavaScript's reach), the tables checked against what the
// OpenAPI says (load balancer, listener with its certificate's days to expiry and names, server
// group with its server's live health, recent jobs, the audit log), the live request-rate chart
// moving with real traffic, the same tables with JavaScript off, and signing out. A screenshot
// is saved (OPENALB_TEST_ARTIFACTS, else the temp directory). Refusals without a browser: no
// session, a wrong token, a cross-origin POST, no admin token configured.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const https = require('node:https');
const { Server, waitFor } = require('./harness');

const CHROMIUM = process.env.OPENALB_CHROMIUM || '/usr/bin/chromium';
const noBrowser = !fs.existsSync(CHROMIUM) && `no Chromium at ${CHROMIUM} (scripts/setup test installs Debian's chromium)`;
const TOKEN = 'console-token-0123456789';

function request(port, method, requestPath, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: requestPath, headers }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function traffic(port, count, requestPath = '/') {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 4 });
  await Promise.all(Array.from({ length: count }, () => new Promise((resolve, reject) => {
    https.get({ host: '127.0.0.1', port, path: requestPath, servername: 'console.example.test', rejectUnauthorized: false, agent }, (res) => {
      res.resume();
      res.on('end', resolve);
    }).on('error', reject);
  })));
  agent.destroy();
}

test('the console shows what the API says, live, to an operator signed in with the admin token', { skip: noBrowser }, async (t) => {
  const { chromium } = require('playwright-core');
  const backend = http.createServer((req, res) => res.end(req.url === '/boom' ? (res.statusCode = 500, 'x') : 'ok'));
  await new Promise((r) => backend.listen(0, '127.0.0.1', r));
  t.after(() => backend.close());
  const server = await Server.start({ args: ['--admin-token', TOKEN] });
  t.after(() => server.stop());
  const certificateId = await server.uploadCertificate('console.example.test', { days: 20 });
  const { loadBalancerId, listenerId, serverGroupId, port } = await server.listener(
    { protocol: 'HTTPS', port: 443, certificateId, backendPort: backend.address().port });
  await server.enableHealthCheck(serverGroupId);
  const base = `http://127.0.0.1:${server.adminPort}`;

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  t.after(() => browser.close());
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  const urls = [];
  page.on('request', (r) => urls.push(r.url()));
  const failures = [];
  page.on('pageerror', (e) => failures.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') failures.push(m.text()); });

  // Not signed in: the login form. A wrong token is told so.
  await page.goto(`${base}/console`);
  assert.equal(new URL(page.url()).pathname, '/console/login');
  await page.fill('#token', 'not-the-token');
  await page.click('button[type=submit]');
  assert.match(await page.textContent('[role=alert]'), /not the admin token/);
  await page.fill('#token', TOKEN);
  await page.click('button[type=submit]');
  await page.waitForURL(`${base}/console`);
  failures.length = 0;  // the wrong token's 401 is the browser's "failed to load", and expected
  assert.ok(!urls.some((u) => u.includes(TOKEN)), 'the token never appears in a URL');
  assert.equal(await page.evaluate(() => document.cookie), '', 'the session cookie is HttpOnly');
  const [cookie] = await context.cookies();
  assert.equal(cookie.name, 'openalb_console');
  assert.equal(cookie.httpOnly, true);
  assert.equal(cookie.sameSite, 'Strict');

  // The tables, against the API.
  const rowOf = async (section, id) => (await page.locator(`#${section} tr`, { hasText: id }).first().innerText());
  const lb = (await server.call('GetLoadBalancerAttribute', { LoadBalancerId: loadBalancerId }));
  const lbRow = await rowOf('load-balancers', loadBalancerId);
  assert.match(lbRow, new RegExp(lb.LoadBalancerName));
  assert.match(lbRow, new RegExp(lb.LoadBalancerStatus));
  const listener = await server.call('GetListenerAttribute', { ListenerId: listenerId });
  const listenerRow = await rowOf('listeners', listenerId);
  assert.match(listenerRow, new RegExp(`${listener.ListenerProtocol}\\s+${listener.ListenerPort}\\s+${listener.ListenerStatus}`));
  assert.match(listenerRow, new RegExp(`${certificateId} default · (19|20) days left · console\\.example\\.test`));
  assert.equal(await page.locator(`#listeners tr[data-listener="${listenerId}"] .expiring`).count(), 1, 'under 30 days is marked');
  await waitFor(async () => {
    await page.reload();
    return /healthy/.test(await rowOf('server-groups', serverGroupId));
  }, 10000, 'the server to show healthy');
  assert.match(await rowOf('server-groups', serverGroupId), new RegExp(`127\\.0\\.0\\.1:${backend.address().port} weight 100 · healthy`));
  const jobs = (await server.call('ListAsynJobs', { MaxResults: 5 })).Jobs;
  assert.match(await rowOf('jobs', jobs[0].Id), /Succeeded/);
  assert.match(await page.locator('#audit tbody tr').first().innerText(), /alb:/);

  // Live rates: traffic shows in the listener's cells and chart.
  const sender = setInterval(() => { traffic(port, 20).catch(() => {}); traffic(port, 2, '/boom').catch(() => {}); }, 200);
  t.after(() => clearInterval(sender));
  await waitFor(async () => Number(await page.textContent(`tr[data-listener="${listenerId}"] td.rate`)) > 0, 15000, 'a request rate');
  await waitFor(async () => Number(await page.textContent(`tr[data-listener="${listenerId}"] td.errors`)) > 0, 15000, 'a 5xx rate');
  assert.equal(await page.locator(`tr[data-listener="${listenerId}"] td.chart svg polyline`).count(), 2);
  clearInterval(sender);
  const artifacts = process.env.OPENALB_TEST_ARTIFACTS || path.join(os.tmpdir(), 'openalb-test-artifacts');
  fs.mkdirSync(artifacts, { recursive: true });
  const shot = path.join(artifacts, 'console.png');
  await page.screenshot({ path: shot, fullPage: true });
  assert.ok(fs.statSync(shot).size > 10000, 'a screenshot with something on it');
  console.log(`# console screenshot: ${shot}`);
  assert.ok(urls.every((u) => u.startsWith(base)), `nothing fetched from elsewhere: ${urls.filter((u) => !u.startsWith(base))}`);
  assert.deepEqual(failures, []);

  // Without JavaScript the tables are all there.
  const plain = await browser.newContext({ javaScriptEnabled: false });
  t.after(() => plain.close());
  await plain.addCookies(await context.cookies());
  const plainPage = await plain.newPage();
  await plainPage.goto(`${base}/console`);
  assert.match(await plainPage.locator('#listeners').innerText(), new RegExp(listenerId));
  assert.equal(await plainPage.locator('#listeners td.rate').first().innerText(), '–');

  // Signing out ends the session.
  await page.click('header button[type=submit]');
  await page.waitForURL(`${base}/console/login`);
  await page.goto(`${base}/console`);
  assert.equal(new URL(page.url()).pathname, '/console/login');
});

test('the console refuses what it must: no session, a cross-origin sign-in, and no admin token configured', async (t) => {
  const server = await Server.start({ args: ['--admin-token', TOKEN] });
  t.after(() => server.stop());
  const port = server.adminPort;
  const page = await request(port, 'GET', '/console');
  assert.equal(page.status, 303);
  assert.equal(page.headers.location, '/console/login');
  assert.equal((await request(port, 'GET', '/console/rates')).status, 401);
  const login = await request(port, 'GET', '/console/login');
  assert.match(login.headers['content-security-policy'], /default-src 'none'; script-src 'self'/);
  assert.equal(login.headers['x-frame-options'], 'DENY');
  assert.equal(login.headers['cache-control'], 'no-store');
  // Another site's form posting the right token: refused, no cookie.
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const crossSite = await request(port, 'POST', '/console/login', { headers: { ...form, origin: 'http://evil.example' }, body: `token=${TOKEN}` });
  assert.equal(crossSite.status, 403);
  assert.equal(crossSite.headers['set-cookie'], undefined);
  const noOrigin = await request(port, 'POST', '/console/login', { headers: form, body: `token=${TOKEN}` });
  assert.equal(noOrigin.status, 403);
  const own = await request(port, 'POST', '/console/login', { headers: { ...form, origin: `http://127.0.0.1:${port}` }, body: `token=${TOKEN}` });
  assert.equal(own.status, 303);
  const session = own.headers['set-cookie'][0].split(';')[0];
  assert.equal((await request(port, 'GET', '/console', { headers: { cookie: session } })).status, 200);
  assert.equal((await request(port, 'GET', '/console', { headers: { cookie: 'openalb_console=forged' } })).status, 303);
  assert.equal((await request(port, 'GET', '/console', { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
  assert.equal((await request(port, 'GET', '/console', { headers: { authorization: 'Bearer wrong' } })).status, 303);

  const open = await Server.start();
  t.after(() => open.stop());
  const refused = await request(open.adminPort, 'GET', '/console');
  assert.equal(refused.status, 403);
  assert.match(refused.body, /--admin-token/);
});
