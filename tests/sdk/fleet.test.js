// Three openalb nodes on one PostgreSQL database, listeners on three loopback addresses: the
// seed flow through one node's API, and a job reads Succeeded only when every live node has
// applied it (a dissociated certificate is served by none of the three at that moment); a
// stopped node holds jobs back at most the lease and catches up when it resumes; a worker
// killed with -9 leaves its jobs to another.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Server, BIN, waitFor, servedName, listenerCertificates } = require('./harness');
const { Postgres, nodeDataDir } = require('./postgres');

const ADDRESSES = ['127.0.0.2', '127.0.0.3', '127.0.0.4'];
const LEASE_MS = 2000;

function nodesTable(url) {
  return execFileSync(BIN, ['nodes', '--store', url], { encoding: 'utf8' });
}

// Starts three nodes (all roles) on `url`; the first creates the installation.
async function fleet(url, offset, extra = []) {
  const common = (i) => ['--store', url, '--listener-address', ADDRESSES[i], '--listener-port-offset', String(offset),
    '--node-lease', `${LEASE_MS}ms`, ...extra];
  const a = await Server.start({ args: common(0) });
  const nodes = [a];
  for (const i of [1, 2]) nodes.push(await Server.start({ dataDir: nodeDataDir(a.dataDir), args: common(i) }));
  return nodes;
}

async function stopAll(nodes) {
  for (const n of nodes) {
    if (n.proc.signalCode === 'SIGSTOP') n.proc.kill('SIGCONT');
    await n.stop();
    if (!n.ownsDataDir) fs.rmSync(n.dataDir, { recursive: true, force: true });
  }
}

let pg;
test.before(() => { pg = Postgres.start(); });
test.after(() => pg.stop());

test('a job succeeds only when all three nodes serve its change', async () => {
  const url = pg.newDatabase();
  const offset = 20000 + Math.floor(Math.random() * 20000);
  const nodes = await fleet(url, offset);
  const [a, , c] = nodes;
  try {
    const main = await a.uploadCertificate('main.fleet.test');
    const extra = await a.uploadCertificate('extra.fleet.test');
    const { listenerId } = await a.listener({ protocol: 'HTTPS', port: 443, certificateId: main });
    const port = 443 + offset;
    // Created: every node serves it the moment the job reads Succeeded.
    for (const host of ADDRESSES) assert.equal(await servedName(host, port, 'main.fleet.test'), 'main.fleet.test');

    await a.waitJob((await a.call('AssociateAdditionalCertificatesWithListener',
      { ListenerId: listenerId, 'Certificates.1.CertificateId': extra })).JobId);
    for (const host of ADDRESSES) assert.equal(await servedName(host, port, 'extra.fleet.test'), 'extra.fleet.test', host);

    // The seed operation, through node A; checked on all three at the first Succeeded.
    const { JobId } = await a.call('DissociateAdditionalCertificatesFromListener',
      { ListenerId: listenerId, 'Certificates.1.CertificateId': extra });
    await a.waitJob(JobId);
    for (const host of ADDRESSES) {
      assert.equal(await servedName(host, port, 'extra.fleet.test'), 'main.fleet.test', `${host} still serves it`);
    }
    assert.deepEqual(await listenerCertificates(c, listenerId), { [main]: 'Associated' });

    const table = nodesTable(url);
    assert.equal((table.match(/ live /g) || []).length, 3, table);
    for (const line of table.split('\n').filter((l) => / live /.test(l))) {
      assert.match(line, /\s0\s+\S+ ago\s+live/, `a node lags: ${line}`);
    }
  } finally {
    await stopAll(nodes);
  }
});

test('a stopped node holds jobs back at most the lease, and catches up when it resumes', async () => {
  const url = pg.newDatabase();
  const offset = 20000 + Math.floor(Math.random() * 20000);
  const nodes = await fleet(url, offset);
  const [a, b, c] = nodes;
  try {
    const main = await a.uploadCertificate('main.stop.test');
    const extra = await a.uploadCertificate('extra.stop.test');
    const { listenerId } = await a.listener({ protocol: 'HTTPS', port: 443, certificateId: main });
    const port = 443 + offset;
    await a.waitJob((await a.call('AssociateAdditionalCertificatesWithListener',
      { ListenerId: listenerId, 'Certificates.1.CertificateId': extra })).JobId);

    c.proc.kill('SIGSTOP');
    const started = Date.now();
    const { JobId } = await b.call('DissociateAdditionalCertificatesFromListener',
      { ListenerId: listenerId, 'Certificates.1.CertificateId': extra });
    await waitFor(async () => (await a.call('ListAsynJobs', { 'JobIds.1': JobId })).Jobs[0].Status === 'Succeeded',
      LEASE_MS + 8000, 'the job, once the stopped node is past its lease');
    const waited = Date.now() - started;
    assert.ok(waited >= LEASE_MS / 2, `the job did not wait for the stopped node (${waited} ms)`);
    for (const host of ADDRESSES.slice(0, 2)) assert.equal(await servedName(host, port, 'extra.stop.test'), 'main.stop.test');

    c.proc.kill('SIGCONT');
    // From its first handshake after resuming, the node serves the new configuration or
    // turns the connection away while it catches up: never the dissociated certificate.
    let answered = 0;
    for (const until = Date.now() + 1500; Date.now() < until;) {
      const name = await servedName(ADDRESSES[2], port, 'extra.stop.test').catch(() => null);
      if (name !== null) {
        assert.equal(name, 'main.stop.test', 'the resumed node served a stale certificate');
        ++answered;
      }
    }
    assert.ok(answered > 0, 'the resumed node never served again');
    await waitFor(() => / 0\s+\S+ ago\s+live/.test(nodesTable(url).split('\n').find((l) => l.includes('127.0.0.4')) || ''),
      10000, 'the resumed node to catch up');
    assert.equal(await servedName(ADDRESSES[2], port, 'extra.stop.test'), 'main.stop.test');
  } finally {
    await stopAll(nodes);
  }
});

test('kill -9 of a worker leaves its jobs to another: every job ends, none stays Processing', async () => {
  const url = pg.newDatabase();
  const offset = 20000 + Math.floor(Math.random() * 20000);
  // Jobs wait 400 ms before any worker may run them, so kills land among pending jobs.
  const nodes = await fleet(url, offset, ['--job-delay', '400ms']);
  const [a, b] = nodes;
  try {
    const jobs = [];
    for (let i = 0; i < 12; ++i) {
      jobs.push((await a.call('CreateLoadBalancer', { LoadBalancerName: `lb${i}`, LoadBalancerEdition: 'Standard' })).JobId);
      if (i === 5) await b.kill9();
    }
    await a.kill9();
    const survivor = nodes[2];
    await waitFor(async () => {
      const listed = await survivor.call('ListAsynJobs', { MaxResults: 100 });
      const mine = listed.Jobs.filter((j) => jobs.includes(j.Id));
      return mine.length === jobs.length && mine.every((j) => j.Status === 'Succeeded');
    }, 20000, 'every job to succeed on the surviving node');
  } finally {
    await stopAll(nodes.slice(2));
    for (const n of nodes.slice(0, 2)) {
      if (!n.ownsDataDir) fs.rmSync(n.dataDir, { recursive: true, force: true });
      else fs.rmSync(n.dataDir, { recursive: true, force: true });
    }
  }
});

// Whether nothing accepts connections on host:port.
function refuses(host, port) {
  const net = require('node:net');
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    socket.once('connect', () => { socket.destroy(); resolve(false); });
    socket.once('error', () => resolve(true));
  });
}

test('a node that cannot apply a change fails the job with its reason, and every node goes back', async () => {
  const url = pg.newDatabase();
  const offset = 20000 + Math.floor(Math.random() * 20000);
  const nodes = await fleet(url, offset);
  const [a] = nodes;
  const net = require('node:net');
  const port = 8443 + offset;
  // Something else holds the listener's port on the second node's address.
  const squatter = net.createServer().listen(port, ADDRESSES[1]);
  await new Promise((r) => squatter.once('listening', r));
  try {
    const main = await a.uploadCertificate('main.fail.test');
    const { LoadBalancerId, JobId: lbJob } = await a.call('CreateLoadBalancer',
      { LoadBalancerName: 'lb', LoadBalancerEdition: 'Standard' });
    await a.waitJob(lbJob);
    const { JobId, ListenerId } = await a.call('CreateListener', {
      LoadBalancerId, ListenerProtocol: 'HTTPS', ListenerPort: 8443, 'Certificates.1.CertificateId': main,
    });
    let job;
    await waitFor(async () => {
      job = (await a.call('ListAsynJobs', { 'JobIds.1': JobId })).Jobs[0];
      return job.Status !== 'Processing';
    }, 15000, 'the job to end');
    assert.equal(job.Status, 'Failed');
    assert.equal(job.ErrorCode, 'DataPlaneApplyFailed');
    const node = nodes[1].stderr.match(/node_id=(\S+)/)[1];
    assert.match(job.ErrorMessage, new RegExp(`node ${node}: .*port ${port} cannot be opened`));
    // The change is undone: the listener was never created anywhere, and the nodes that had
    // served it stop (the failing node's error goes with the undoing).
    assert.equal((await a.call('GetListenerAttribute', { ListenerId })).ListenerStatus, 'Stopped');
    for (const host of [ADDRESSES[0], ADDRESSES[2]]) {
      await waitFor(() => refuses(host, port), 5000, `${host} to stop serving it`);
    }
    await waitFor(() => !/lsr-\S+ at \d+: /.test(nodesTable(url)), 5000, 'the failure to clear');

    // Once the port is free, starting it succeeds on all three.
    await new Promise((r) => squatter.close(r));
    await a.waitJob((await a.call('StartListener', { ListenerId })).JobId);
    for (const host of ADDRESSES) assert.equal(await servedName(host, port, 'main.fail.test'), 'main.fail.test', host);
  } finally {
    squatter.close();
    await stopAll(nodes);
  }
});

test('a job\'s resources stay in change until every node serves it: the listener reads Running only then', async () => {
  const url = pg.newDatabase();
  const offset = 20000 + Math.floor(Math.random() * 20000);
  const nodes = await fleet(url, offset);
  const [a, b] = nodes;
  try {
    const main = await a.uploadCertificate('main.held.test');
    const extra = await a.uploadCertificate('extra.held.test');
    const { listenerId } = await a.listener({ protocol: 'HTTPS', port: 443, certificateId: main });
    const port = 443 + offset;
    b.proc.kill('SIGSTOP');  // holds the job back for up to the lease
    const { JobId } = await a.call('AssociateAdditionalCertificatesWithListener',
      { ListenerId: listenerId, 'Certificates.1.CertificateId': extra });
    // Published to the nodes that run: they serve the certificate while it is still Associating.
    await waitFor(async () => await servedName(ADDRESSES[0], port, 'extra.held.test') === 'extra.held.test',
      LEASE_MS, 'node A to serve the new certificate');
    assert.equal((await a.call('GetListenerAttribute', { ListenerId: listenerId })).ListenerStatus, 'Configuring');
    assert.deepEqual(await listenerCertificates(a, listenerId), { [main]: 'Associated', [extra]: 'Associating' });
    await a.waitJob(JobId);  // the stopped node's lease runs out
    assert.equal((await a.call('GetListenerAttribute', { ListenerId: listenerId })).ListenerStatus, 'Running');
    assert.deepEqual(await listenerCertificates(a, listenerId), { [main]: 'Associated', [extra]: 'Associated' });
    b.proc.kill('SIGCONT');
    // Resumed past its lease, it admits no connection until it has caught up, then serves it.
    await waitFor(async () => await servedName(ADDRESSES[1], port, 'extra.held.test').catch(() => null) === 'extra.held.test',
      10000, 'node B to catch up');
  } finally {
    await stopAll(nodes);
  }
});

test('PostgreSQL stopped under changes and traffic: no failed request, only 503s, nothing lost', async () => {
  const http = require('node:http');
  const https = require('node:https');
  const backend = http.createServer((req, res) => res.end('ok')).listen(0, '127.0.0.1');
  await new Promise((r) => backend.once('listening', r));
  const url = pg.newDatabase();
  const offset = 20000 + Math.floor(Math.random() * 20000);
  const nodes = await fleet(url, offset);
  const [a, , c] = nodes;
  try {
    const main = await a.uploadCertificate('main.outage.test');
    const extra = await a.uploadCertificate('extra.outage.test');
    const { listenerId } = await a.listener({ protocol: 'HTTPS', port: 443, certificateId: main,
      backendPort: backend.address().port });
    const port = 443 + offset;

    let stop = false;
    const traffic = { ok: 0, failed: [] };
    const get = (host) => new Promise((resolve) => {
      const req = https.request({ host, port, path: '/', servername: 'main.outage.test', rejectUnauthorized: false,
        agent: false }, (res) => {
        res.resume();
        res.on('end', () => {
          if (res.statusCode === 200) traffic.ok++; else traffic.failed.push(`${host} ${res.statusCode}`);
          resolve();
        });
      });
      req.on('error', (e) => { traffic.failed.push(`${host} ${e.code}`); resolve(); });
      req.end();
    });
    const load = (async () => {
      while (!stop) await Promise.all(ADDRESSES.slice(0, 2).map(get));
    })();

    const apiErrors = [];
    const acked = [];
    let state = 'absent';
    const changes = (async () => {
      while (!stop) {
        const associate = state === 'absent';
        try {
          const { JobId } = await a.call(associate ? 'AssociateAdditionalCertificatesWithListener'
            : 'DissociateAdditionalCertificatesFromListener', { ListenerId: listenerId, 'Certificates.1.CertificateId': extra });
          acked.push(JobId);
          state = associate ? 'present' : 'absent';
          await waitFor(async () => {
            try {
              return (await a.call('ListAsynJobs', { 'JobIds.1': JobId })).Jobs[0].Status === 'Succeeded';
            } catch (e) {
              apiErrors.push(e.code);
              return false;
            }
          }, 30000, `job ${JobId}`);
        } catch (e) {
          apiErrors.push(e.code);
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    })();

    await new Promise((r) => setTimeout(r, 1000));
    pg.halt();
    // A data-plane node restarted while the database is away serves from its own file.
    await c.kill9();
    const restarted = await Server.start({ dataDir: c.dataDir, args: ['--store', url, '--listener-address', ADDRESSES[2],
      '--listener-port-offset', String(offset), '--node-lease', `${LEASE_MS}ms`] });
    nodes[2] = restarted;
    assert.equal(await servedName(ADDRESSES[2], port, 'main.outage.test'), 'main.outage.test');
    await new Promise((r) => setTimeout(r, 2500));
    pg.resume();
    await new Promise((r) => setTimeout(r, 2500));
    stop = true;
    await Promise.all([load, changes]);

    assert.deepEqual(traffic.failed, [], 'data-plane requests failed during the outage');
    assert.ok(traffic.ok > 50, `only ${traffic.ok} requests were served`);
    assert.ok(apiErrors.length > 0, 'the outage was not seen by the API');
    assert.deepEqual([...new Set(apiErrors)], ['ServiceUnavailable']);
    for (const jobId of acked) {
      await waitFor(async () => (await a.call('ListAsynJobs', { 'JobIds.1': jobId })).Jobs[0].Status === 'Succeeded',
        15000, `job ${jobId}`);
    }
    const certs = await listenerCertificates(restarted, listenerId);
    assert.equal(extra in certs, state === 'present');
    for (const host of ADDRESSES) {
      assert.equal(await servedName(host, port, 'extra.outage.test'),
        state === 'present' ? 'extra.outage.test' : 'main.outage.test', host);
    }
  } finally {
    backend.close();
    await stopAll(nodes);
  }
});

test('roles split the work: an API-and-worker node and a data-plane-only node; readiness on the admin address', async () => {
  const url = pg.newDatabase();
  const offset = 20000 + Math.floor(Math.random() * 20000);
  const api = await Server.start({ args: ['--store', url, '--roles', 'api,worker', '--listener-address', ADDRESSES[0],
    '--listener-port-offset', String(offset), '--node-lease', `${LEASE_MS}ms`] });
  const dpDir = nodeDataDir(api.dataDir);
  const dataplane = await Server.start({ dataDir: dpDir, args: ['--store', url, '--roles', 'dataplane',
    '--listener-address', ADDRESSES[1], '--listener-port-offset', String(offset), '--node-lease', `${LEASE_MS}ms`,
    '--admin-listen', '127.0.0.1:0'] });
  try {
    const adminPort = Number(dataplane.stderr.match(/event=admin_listening address=\S+ port=(\d+)/)[1]);
    const get = (p) => new Promise((resolve, reject) => {
      require('node:http').get({ host: '127.0.0.1', port: adminPort, path: p }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode, body }));
      }).on('error', reject);
    });
    assert.equal((await get('/healthz')).status, 200);
    const ready = await get('/readyz');
    assert.equal(ready.status, 200);
    assert.match(ready.body, /^ready node_id=node-\S+ applied_version=\d+/);
    assert.equal((await get('/nope')).status, 404);

    const main = await api.uploadCertificate('main.roles.test');
    const { listenerId } = await api.listener({ protocol: 'HTTPS', port: 443, certificateId: main });
    assert.ok(listenerId);
    // Only the data-plane node binds the listener.
    assert.equal(await servedName(ADDRESSES[1], 443 + offset, 'main.roles.test'), 'main.roles.test');
    await assert.rejects(servedName(ADDRESSES[0], 443 + offset, 'main.roles.test'));
    const table = nodesTable(url);
    assert.match(table, /api,worker\s+127\.0\.0\.2\s+-\s+-/);
    assert.match(table, /dataplane\s+127\.0\.0\.3\s+\d+\s+0\s/);
  } finally {
    await api.stop();
    await dataplane.stop();
    fs.rmSync(dpDir, { recursive: true, force: true });
  }
});

test('a subset of roles needs a shared store', () => {
  const { spawnSync } = require('node:child_process');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openalb-roles-'));
  try {
    const r = spawnSync(BIN, ['serve', '--data-dir', dir, '--roles', 'api'], { encoding: 'utf8', timeout: 10000 });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /--roles api leaves work to other nodes.*--store postgres/);
    const bad = spawnSync(BIN, ['serve', '--data-dir', dir, '--roles', 'api,cook'], { encoding: 'utf8', timeout: 10000 });
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /'cook' is none of them/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
