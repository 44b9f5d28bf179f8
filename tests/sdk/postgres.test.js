// openalb on PostgreSQL, through the official SDKs: an installation moved from SQLite with
// `openalb store copy` serves exactly what it served before (sealed private keys included)
// and takes changes; two nodes on one database see each other's changes at once; while
// the database is away the API answers 503 ServiceUnavailable at once, and recovers by
// itself when it returns.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Server, Alb, BIN, waitFor, servedName, listenerCertificates } = require('./harness');
const { Postgres, nodeDataDir } = require('./postgres');

let pg;
test.before(() => { pg = Postgres.start(); });
test.after(() => pg.stop());

test('store copy moves a SQLite installation to PostgreSQL, which then serves and changes it', async () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'openalb-copy-'));
  try {
    let server = await Server.start({ dataDir });
    const main = await server.uploadCertificate('main.copy.test');
    const extra = await server.uploadCertificate('extra.copy.test');
    const { listenerId } = await server.listener({ protocol: 'HTTPS', port: 443, certificateId: main });
    await server.waitJob((await server.call('AssociateAdditionalCertificatesWithListener',
      { ListenerId: listenerId, 'Certificates.1.CertificateId': extra })).JobId);
    // An ACL refusing 127.0.0.2, with a tag: rows of four more tables.
    const acl = await server.call('CreateAcl', { AclName: 'copied', 'Tag.1.Key': 'k', 'Tag.1.Value': 'v' });
    await server.waitJob(acl.JobId);
    await server.waitJob((await server.call('AddEntriesToAcl', { AclId: acl.AclId, 'AclEntries.1.Entry': '127.0.0.2/32' })).JobId);
    await server.waitJob((await server.call('AssociateAclsWithListener', { ListenerId: listenerId, 'AclIds.1': acl.AclId, AclType: 'Black' })).JobId);
    const before = await listenerCertificates(server, listenerId);
    const portOffset = server.portOffset;
    await server.stop();

    const url = pg.newDatabase();
    const out = execFileSync(BIN, ['store', 'copy', '--from', dataDir, '--to', url], { encoding: 'utf8' });
    assert.match(out, /^listeners\s+1$/m);
    assert.match(out, /^certificates\s+2$/m);
    for (const table of ['acls', 'acl_entries', 'listener_acls', 'resource_tags']) {
      assert.match(out, new RegExp(`^${table}\\s+1$`, 'm'), table);
    }
    assert.match(out, /every row matches/);

    // Copying into a database that already holds an installation is refused.
    const again = spawnSync(BIN, ['store', 'copy', '--from', dataDir, '--to', url], { encoding: 'utf8' });
    assert.equal(again.status, 1);
    assert.match(again.stderr, /already holds an installation/);

    server = await Server.start({ dataDir, args: ['--store', url, '--listener-port-offset', String(portOffset)] });
    try {
      assert.match(server.stderr, /event=store_opened store=postgresql:/);
      assert.deepEqual(await listenerCertificates(server, listenerId), before);
      const port = 443 + portOffset;
      await waitFor(async () => (await servedName('127.0.0.1', port, 'extra.copy.test')) === 'extra.copy.test', 10000, 'extra served');
      // The copied ACL is enforced: 127.0.0.2 gets no handshake.
      const refused = await new Promise((resolve) => {
        const socket = require('node:tls').connect({ host: '127.0.0.1', port, localAddress: '127.0.0.2', servername: 'main.copy.test', rejectUnauthorized: false },
          () => { socket.destroy(); resolve('handshake'); });
        socket.on('error', (e) => resolve(e.code));
      });
      assert.equal(refused, 'ECONNRESET');
      const { JobId } = await server.call('DissociateAdditionalCertificatesFromListener',
        { ListenerId: listenerId, 'Certificates.1.CertificateId': extra });
      await server.waitJob(JobId);
      assert.deepEqual(await listenerCertificates(server, listenerId), { [main]: 'Associated' });
      assert.equal(await servedName('127.0.0.1', port, 'extra.copy.test'), 'main.copy.test');
    } finally {
      await server.stop();
    }
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
});

test('two nodes on one database see each other\'s changes at once', async () => {
  const url = pg.newDatabase();
  const a = await Server.start({ args: ['--store', url] });
  const bDir = nodeDataDir(a.dataDir);
  const b = await Server.start({ dataDir: bDir, args: ['--store', url] });
  try {
    assert.doesNotMatch(b.stdout, /first start/);  // one installation, not two
    const main = await a.uploadCertificate('main.fleet.test');
    const extra = await b.uploadCertificate('extra.fleet.test');
    const { listenerId } = await a.listener({ protocol: 'HTTPS', port: 8443, certificateId: main });
    const { JobId } = await b.call('AssociateAdditionalCertificatesWithListener',
      { ListenerId: listenerId, 'Certificates.1.CertificateId': extra });
    await a.waitJob(JobId);
    assert.deepEqual(await listenerCertificates(a, listenerId), await listenerCertificates(b, listenerId));
    assert.deepEqual(Object.keys(await listenerCertificates(a, listenerId)).sort(), [extra, main].sort());
    // The job list is one list whichever node is asked.
    const jobsA = await a.call('ListAsynJobs', { MaxResults: 100 });
    const jobsB = await b.call('ListAsynJobs', { MaxResults: 100 });
    assert.deepEqual(jobsA.Jobs.map((j) => j.Id), jobsB.Jobs.map((j) => j.Id));
  } finally {
    await a.stop();
    await b.stop();
    fs.rmSync(bDir, { recursive: true, force: true });
  }
});

test('while the database is away the API answers 503 at once, and recovers without a restart', async () => {
  const url = pg.newDatabase();
  const server = await Server.start({ args: ['--store', url] });
  try {
    const { LoadBalancerId, JobId } = await server.call('CreateLoadBalancer',
      { LoadBalancerName: 'before', LoadBalancerEdition: 'Standard' });
    await server.waitJob(JobId);
    pg.halt();
    try {
      const started = Date.now();
      const error = await server.call('CreateLoadBalancer', { LoadBalancerName: 'during', LoadBalancerEdition: 'Standard' })
        .then(() => null, (e) => e);
      assert.ok(error, 'a write without a database must not succeed');
      assert.equal(error.code, 'ServiceUnavailable');
      // The V3 SDK sees the status too, on a read.
      const read = await server.alb().listLoadBalancers(new Alb.ListLoadBalancersRequest({})).then(() => null, (e) => e);
      assert.ok(read, 'a read without a database must not succeed');
      assert.equal(read.statusCode, 503);
      assert.equal(read.code, 'ServiceUnavailable');
      assert.ok(Date.now() - started < 10000, 'answered, not hung');
    } finally {
      pg.resume();
    }
    await waitFor(async () => {
      try {
        return (await server.call('GetLoadBalancerAttribute', { LoadBalancerId })).LoadBalancerId === LoadBalancerId;
      } catch {
        return false;
      }
    }, 15000, 'the API to recover');
    const after = await server.call('CreateLoadBalancer', { LoadBalancerName: 'after', LoadBalancerEdition: 'Standard' });
    await server.waitJob(after.JobId);
  } finally {
    await server.stop();
  }
});
