// kill -9 at several points of the real process: between a job's acceptance and its
// finish, and at random moments of a stream of changes (on SQLite and on PostgreSQL). Nothing acknowledged may be
// lost (nor its audit log entry), every job must end, no certificate or listener may stay
// in flight, and SQLite must pass integrity_check.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Server, waitFor } = require('./harness');
const { Postgres } = require('./postgres');

// pop-core (V1), as Terraform signs; each call a POST form, as Terraform sends.
function call(server, action, params) {
  return server.pop().request(action, params, { method: 'POST' });
}

async function setUp(server, listeners) {
  const lb = (await call(server, 'CreateLoadBalancer', { LoadBalancerName: 'lb', LoadBalancerEdition: 'Standard' })).LoadBalancerId;
  await waitFor(async () => (await call(server, 'GetLoadBalancerAttribute', { LoadBalancerId: lb })).LoadBalancerStatus === 'Active', 10000, 'lb');
  const out = [];
  for (let i = 0; i < listeners; ++i) {
    const main = await server.uploadCertificate(`main${i}.test`);
    const extra = await server.uploadCertificate(`extra${i}.test`);
    const id = (await call(server, 'CreateListener', {
      LoadBalancerId: lb, ListenerProtocol: 'HTTPS', ListenerPort: 1000 + i, 'Certificates.1.CertificateId': main,
    })).ListenerId;
    out.push({ id, main, extra });
  }
  for (const l of out) await waitRunning(server, l.id);
  return out;
}

async function waitRunning(server, listenerId) {
  await waitFor(async () => (await call(server, 'GetListenerAttribute', { ListenerId: listenerId })).ListenerStatus === 'Running',
    15000, `${listenerId} Running`);
}

async function certificates(server, listenerId) {
  const body = await call(server, 'ListListenerCertificates', { ListenerId: listenerId, MaxResults: 100 });
  return Object.fromEntries(body.Certificates.map((c) => [c.CertificateId, c.Status]));
}

function tempDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'openalb-kill-'));
}

test('a job accepted just before kill -9 completes after restart', async () => {
  const dataDir = tempDir();
  try {
    let server = await Server.start({ dataDir, args: ['--job-delay', '60s'] });
    // Set-up jobs must finish: restart without the delay for them, then with it again.
    await server.stop();
    server = await Server.start({ dataDir });
    const [l] = await setUp(server, 1);
    await call(server, 'AssociateAdditionalCertificatesWithListener', { ListenerId: l.id, 'Certificates.1.CertificateId': l.extra });
    await waitRunning(server, l.id);
    await server.stop();

    server = await Server.start({ dataDir, args: ['--job-delay', '60s'] });
    const { JobId } = await call(server, 'DissociateAdditionalCertificatesFromListener', {
      ListenerId: l.id, 'Certificates.1.CertificateId': l.extra, ClientToken: 'kill-token',
    });
    assert.equal((await certificates(server, l.id))[l.extra], 'Dissociating');
    await server.kill9();

    server = await Server.start({ dataDir });
    try {
      await waitFor(async () => {
        const jobs = await call(server, 'ListAsynJobs', { 'JobIds.1': JobId });
        return jobs.Jobs.length === 1 && jobs.Jobs[0].Status === 'Succeeded';
      }, 10000, 'the job to succeed after restart');
      assert.deepEqual(await certificates(server, l.id), { [l.main]: 'Associated' });
      assert.equal((await call(server, 'GetListenerAttribute', { ListenerId: l.id })).ListenerStatus, 'Running');
      // The token survived the crash too.
      const replay = await call(server, 'DissociateAdditionalCertificatesFromListener', {
        ListenerId: l.id, 'Certificates.1.CertificateId': l.extra, ClientToken: 'kill-token',
      });
      assert.equal(replay.JobId, JobId);
    } finally {
      await server.stop();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

// The stream of changes with `rounds` kills, on the store `args` select (SQLite by default).
async function killLoop({ rounds, args = [] }) {
  const dataDir = tempDir();
  try {
    let server = await Server.start({ dataDir, args });
    const listeners = await setUp(server, 4);
    // What each listener's extra certificate must be after everything settles: the effect
    // of its last acknowledged change, or of a change in flight at the kill (either way).
    const expected = new Map(listeners.map((l) => [l.id, { acked: 'absent', inFlight: null }]));
    const acknowledged = [];
    const acknowledgedRequests = [];

    for (let round = 0; round < rounds; ++round) {
      let stop = false;
      const workers = listeners.map(async (l) => {
        const state = expected.get(l.id);
        while (!stop) {
          const associate = state.acked === 'absent';
          const action = associate ? 'AssociateAdditionalCertificatesWithListener' : 'DissociateAdditionalCertificatesFromListener';
          state.inFlight = associate ? 'present' : 'absent';
          let reply;
          try {
            reply = await call(server, action, { ListenerId: l.id, 'Certificates.1.CertificateId': l.extra });
          } catch (e) {
            if (e.code === 'ResourceInConfiguring.Listener') { state.inFlight = null; continue; }
            return;  // the server died under us: this change may or may not have landed
          }
          acknowledged.push(reply.JobId);
          acknowledgedRequests.push(reply.RequestId);
          state.acked = state.inFlight;
          state.inFlight = null;
          try {
            await waitRunning(server, l.id);
          } catch {
            return;
          }
        }
      });
      await new Promise((r) => setTimeout(r, 150 + Math.floor(Math.random() * 450)));
      await server.kill9();
      stop = true;
      await Promise.all(workers);
      server = await Server.start({ dataDir, args });
    }

    try {
      for (const l of listeners) await waitRunning(server, l.id);
      for (const jobId of acknowledged) {
        const jobs = await call(server, 'ListAsynJobs', { 'JobIds.1': jobId });
        assert.equal(jobs.Jobs.length, 1, `acknowledged job ${jobId} must exist`);
        assert.equal(jobs.Jobs[0].Status, 'Succeeded', `job ${jobId}`);
      }
      assert.ok(acknowledged.length >= rounds, `only ${acknowledged.length} changes were acknowledged`);
      // Each acknowledged change was audited in the transaction that made it.
      const audited = new Set(server.cli('audit', '--json', '--limit', '100000', ...args).trim().split('\n')
        .map(JSON.parse).filter((e) => e.Result === 'Success').map((e) => e.RequestId));
      for (const requestId of acknowledgedRequests) assert.ok(audited.has(requestId), `no audit entry for ${requestId}`);
      for (const l of listeners) {
        const certs = await certificates(server, l.id);
        assert.equal(certs[l.main], 'Associated');
        for (const status of Object.values(certs)) assert.equal(status, 'Associated');
        const actual = l.extra in certs ? 'present' : 'absent';
        const { acked, inFlight } = expected.get(l.id);
        assert.ok(actual === acked || actual === inFlight,
          `${l.id}: extra certificate is ${actual}; last acknowledged ${acked}, in flight ${inFlight}`);
      }
    } finally {
      await server.stop();
    }
    if (args.length === 0) {  // the SQLite file is intact
      const { execFileSync } = require('node:child_process');
      assert.equal(execFileSync('sqlite3', [`${dataDir}/openalb.db`, 'PRAGMA integrity_check'], { encoding: 'utf8' }).trim(), 'ok');
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

test('kill -9 at random moments of a stream of changes loses nothing acknowledged', async () => {
  await killLoop({ rounds: 20 });
});

test('the same on PostgreSQL (fsync on): kill -9 of openalb loses nothing acknowledged', async () => {
  const pg = Postgres.start({ durable: true });
  try {
    await killLoop({ rounds: 10, args: ['--store', pg.newDatabase()] });
  } finally {
    pg.stop();
  }
});
