// The whole life of listener certificates through the official ALB SDK (V3) against a real
// server: load balancer, HTTPS listener, certificates uploaded through the CAS action,
// associate, list, dissociate with DryRun and ClientToken replay, polling until done, and
// every documented error code with the HTTP status the SDK reports.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Server, Alb, waitFor, rejection } = require('./harness');

const runtime = () => new (require('@darabonba/typescript').RuntimeOptions)({});

// Client-side helpers over the SDK, as a user's own code would look.
class Account {
  constructor(server) {
    this.server = server;
    this.alb = server.alb();
  }

  async createLoadBalancer(edition = 'Standard') {
    const { body } = await this.alb.createLoadBalancer(new Alb.CreateLoadBalancerRequest({
      loadBalancerName: 'web', loadBalancerEdition: edition, vpcId: 'vpc-local', addressType: 'Internet',
      loadBalancerBillingConfig: new Alb.CreateLoadBalancerRequestLoadBalancerBillingConfig({ payType: 'PostPay' }),
    }));
    assert.match(body.loadBalancerId, /^alb-[a-z0-9]{20}$/);
    await waitFor(async () => (await this.alb.getLoadBalancerAttribute(new Alb.GetLoadBalancerAttributeRequest({
      loadBalancerId: body.loadBalancerId,
    }))).body.loadBalancerStatus === 'Active', 10000, 'the load balancer to be Active');
    return body.loadBalancerId;
  }

  async createListener(loadBalancerId, protocol, port, defaultCertificateId) {
    const { body } = await this.alb.createListener(new Alb.CreateListenerRequest({
      loadBalancerId, listenerProtocol: protocol, listenerPort: port,
      certificates: defaultCertificateId
        ? [new Alb.CreateListenerRequestCertificates({ certificateId: defaultCertificateId })] : undefined,
    }));
    assert.match(body.listenerId, /^lsr-[a-z0-9]{20}$/);
    return body.listenerId;
  }

  async listenerStatus(listenerId) {
    const { body } = await this.alb.getListenerAttribute(new Alb.GetListenerAttributeRequest({ listenerId }));
    return body.listenerStatus;
  }

  async waitRunning(listenerId) {
    await waitFor(async () => {
      const status = await this.listenerStatus(listenerId);
      if (status === 'Stopped') {  // its job failed: say why rather than time out
        const { body } = await this.alb.listAsynJobs(new Alb.ListAsynJobsRequest({ resourceIds: [listenerId] }));
        throw new Error(`${listenerId} Stopped: ${JSON.stringify(body.jobs.map((j) => [j.apiName, j.status, j.errorCode, j.errorMessage]))}`);
      }
      return status === 'Running';
    }, 10000, `${listenerId} Running`);
  }

  associate(listenerId, ids, extra = {}) {
    return this.alb.associateAdditionalCertificatesWithListener(new Alb.AssociateAdditionalCertificatesWithListenerRequest({
      listenerId, certificates: ids.map((certificateId) => new Alb.AssociateAdditionalCertificatesWithListenerRequestCertificates({ certificateId })),
      ...extra,
    }));
  }

  dissociate(listenerId, ids, extra = {}) {
    return this.alb.dissociateAdditionalCertificatesFromListener(new Alb.DissociateAdditionalCertificatesFromListenerRequest({
      listenerId, certificates: ids.map((certificateId) => new Alb.DissociateAdditionalCertificatesFromListenerRequestCertificates({ certificateId })),
      ...extra,
    }));
  }

  // The listener's certificates as { id: status }, walking every page.
  async certificates(listenerId, maxResults = 100) {
    const out = {};
    let nextToken;
    do {
      const { body } = await this.alb.listListenerCertificates(new Alb.ListListenerCertificatesRequest({
        listenerId, maxResults, nextToken,
      }));
      for (const c of body.certificates) out[c.certificateId] = c.isDefault ? `default:${c.status}` : c.status;
      nextToken = body.nextToken;
    } while (nextToken);
    return out;
  }

  async job(jobId) {
    const { body } = await this.alb.listAsynJobs(new Alb.ListAsynJobsRequest({ jobIds: [jobId] }));
    assert.equal(body.jobs.length, 1);
    return body.jobs[0];
  }
}

async function expectError(promise, code, status) {
  const e = await rejection(() => promise);
  assert.equal(e.code, code, `expected ${code}, got ${e.code}: ${e.message}`);
  assert.equal(e.statusCode, status);
  assert.match(e.data.RequestId, /^[0-9A-F-]{36}$/);
  return e;
}

test('the whole life: associate three, dissociate two with DryRun and ClientToken replay', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const me = new Account(server);
  const lb = await me.createLoadBalancer();
  const [main, a, b, c] = await Promise.all(['www.example.com', 'a.example.com', 'b.example.com', 'c.example.com']
    .map((name) => server.uploadCertificate(name)));
  const listener = await me.createListener(lb, 'HTTPS', 443, main);
  await me.waitRunning(listener);

  const associated = await me.associate(listener, [a, b, c]);
  assert.match(associated.body.jobId, /^[0-9a-f-]{36}$/);
  await waitFor(async () => Object.values(await me.certificates(listener)).every((s) => s.endsWith('Associated')),
    10000, 'the certificates to be Associated');
  const everything = { [main]: 'default:Associated', [a]: 'Associated', [b]: 'Associated', [c]: 'Associated' };
  assert.deepEqual(await me.certificates(listener), everything);
  assert.deepEqual(await me.certificates(listener, 1), everything);  // four pages of one, via NextToken
  const filtered = await me.alb.listListenerCertificates(new Alb.ListListenerCertificatesRequest({
    listenerId: listener, certificateIds: [b], certificateType: 'Server' }));
  assert.deepEqual(filtered.body.certificates.map((x) => x.certificateId), [b]);
  const page = await me.alb.listListenerCertificates(new Alb.ListListenerCertificatesRequest({ listenerId: listener, maxResults: 2 }));
  assert.equal(page.body.totalCount, 4);
  assert.equal(page.body.maxResults, 2);
  assert.equal(page.body.certificates[0].certificateId, main);
  assert.equal(page.body.certificates[0].isDefault, true);
  assert.equal(page.body.certificates[0].certificateType, 'Server');
  assert.ok(page.body.nextToken);

  await expectError(me.dissociate(listener, [a, b], { dryRun: true }), 'DryRunOperation', 400);
  assert.equal(await me.listenerStatus(listener), 'Running');

  const token = '5A2CFF0E-5718-45B5-9D4D-70B3FF3898';
  const first = await me.dissociate(listener, [a, b], { clientToken: token });
  const replay = await me.dissociate(listener, [a, b], { clientToken: token });
  assert.equal(replay.body.jobId, first.body.jobId);
  assert.notEqual(replay.body.requestId, first.body.requestId);

  await waitFor(async () => {
    const certs = await me.certificates(listener);
    return !(a in certs) && !(b in certs);
  }, 10000, 'the dissociated certificates to leave the list');
  assert.deepEqual(await me.certificates(listener), { [main]: 'default:Associated', [c]: 'Associated' });
  assert.equal(await me.listenerStatus(listener), 'Running');
  const job = await me.job(first.body.jobId);
  assert.equal(job.status, 'Succeeded');
  assert.equal(job.apiName, 'DissociateAdditionalCertificatesFromListener');
  assert.equal(job.resourceId, listener);
  assert.equal(job.resourceType, 'listener');
  assert.ok(job.modifyTime >= job.createTime && job.createTime > Date.now() - 60000);

  // The token still answers with its job after the work is done, and only for the same request.
  assert.equal((await me.dissociate(listener, [b, a], { clientToken: token })).body.jobId, first.body.jobId);
  await expectError(me.dissociate(listener, [c], { clientToken: token }), 'IdempotentParameterMismatch', 400);
});

test('with --job-delay the in-flight states are visible and a second change is refused', async (t) => {
  const server = await Server.start({ args: ['--job-delay', '1500ms'] });
  t.after(() => server.stop());
  const me = new Account(server);
  const lb = await me.createLoadBalancer();
  const [main, a, b] = await Promise.all(['www.test', 'a.test', 'b.test'].map((n) => server.uploadCertificate(n)));
  const listener = await me.createListener(lb, 'HTTPS', 443, main);
  assert.equal(await me.listenerStatus(listener), 'Provisioning');
  const provisioning = await expectError(me.associate(listener, [a]), 'IncorrectStatus.Listener', 400);
  assert.match(provisioning.data.Message, new RegExp(`${listener}.*Provisioning`));
  await me.waitRunning(listener);

  await me.associate(listener, [a, b]);
  assert.deepEqual(await me.certificates(listener), { [main]: 'default:Associated', [a]: 'Associating', [b]: 'Associating' });
  assert.equal(await me.listenerStatus(listener), 'Configuring');
  const busy = await expectError(me.dissociate(listener, [a]), 'ResourceInConfiguring.Listener', 400);
  assert.ok(busy.data.Message.includes(listener));
  await me.waitRunning(listener);

  const { body } = await me.dissociate(listener, [a]);
  assert.equal((await me.certificates(listener))[a], 'Dissociating');
  assert.equal((await me.job(body.jobId)).status, 'Processing');
  await waitFor(async () => (await me.job(body.jobId)).status === 'Succeeded', 10000, 'the job to succeed');
  assert.deepEqual(await me.certificates(listener), { [main]: 'default:Associated', [b]: 'Associated' });
});

test('every documented error of the seed operation, as the SDK reports it', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const me = new Account(server);
  const lb = await me.createLoadBalancer();
  const [main, a, loose] = await Promise.all(['www.test', 'a.test', 'loose.test'].map((n) => server.uploadCertificate(n)));
  const https = await me.createListener(lb, 'HTTPS', 443, main);
  const http = await me.createListener(lb, 'HTTP', 80);
  await me.waitRunning(https);
  await me.waitRunning(http);
  await me.associate(https, [a]);
  await me.waitRunning(https);

  const notFound = await expectError(me.dissociate('lsr-nothere00000000000', [a]), 'ResourceNotFound.Listener', 404);
  assert.ok(notFound.data.Message.includes('lsr-nothere00000000000'));
  await expectError(me.dissociate(http, [a]), 'OperationDenied.HttpListenerNotSupport', 400);
  const usedDefault = await expectError(me.dissociate(https, [main]), 'OperationDenied.DefaultCertificateUsed', 400);
  assert.ok(usedDefault.data.Message.includes(main));
  const notAssociated = await expectError(me.dissociate(https, [loose]), 'ResourceNotAssociated.Certificate', 400);
  assert.ok(notAssociated.data.Message.includes(loose));
  await expectError(me.dissociate(undefined, [a]), 'MissingListenerId', 400);
  await expectError(me.dissociate(https, []), 'MissingCertificates', 400);
  await expectError(me.dissociate(https, Array.from({ length: 21 }, (_, i) => `${i}-cn-hangzhou`)), 'InvalidParameter', 400);
  await expectError(me.dissociate(https, [a], { clientToken: 'x'.repeat(65) }), 'InvalidParameter', 400);
  // Nothing above changed anything.
  assert.deepEqual(await me.certificates(https), { [main]: 'default:Associated', [a]: 'Associated' });

  // Associate's own errors.
  await expectError(me.associate(https, ['12345678-cn-hangzhou']), 'ResourceNotFound.Certificate', 404);
  await expectError(me.associate(https, [a]), 'ResourceAlreadyAssociated.Certificate', 400);
  const basic = await me.createLoadBalancer('Basic');
  const basicListener = await me.createListener(basic, 'HTTPS', 8443, main);  // one address: one port per server
  await me.waitRunning(basicListener);
  const eleven = await Promise.all(Array.from({ length: 11 }, (_, i) => server.uploadCertificate(`q${i}.test`)));
  await me.associate(basicListener, eleven.slice(0, 10));
  await me.waitRunning(basicListener);
  await expectError(me.associate(basicListener, eleven.slice(10)), 'ResourceQuotaExceeded.LoadBalancerCertificatesNum', 400);
});

test('the seed sample request works verbatim: JSON-array Certificates via pop-core', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const me = new Account(server);
  const lb = await me.createLoadBalancer();
  const [main, a] = await Promise.all(['www.test', 'a.test'].map((n) => server.uploadCertificate(n)));
  const listener = await me.createListener(lb, 'QUIC', 443, main);
  await me.waitRunning(listener);
  await me.associate(listener, [a]);
  await me.waitRunning(listener);

  const pop = server.pop();
  const params = {
    ListenerId: listener,
    Certificates: JSON.stringify([{ CertificateId: a }]),
    ClientToken: '5A2CFF0E-5718-45B5-9D4D-70B3FF3898',
    DryRun: 'true',
  };
  const dry = await rejection(() => pop.request('DissociateAdditionalCertificatesFromListener', params, {}));
  assert.equal(dry.code, 'DryRunOperation');
  assert.equal(dry.entry.response.statusCode, 400);
  const done = await pop.request('DissociateAdditionalCertificatesFromListener', { ...params, DryRun: 'false' }, { method: 'POST' });
  assert.match(done.JobId, /^[0-9a-f-]{36}$/);
  assert.match(done.RequestId, /^[0-9A-F-]{36}$/);
  await waitFor(async () => !((a) in await me.certificates(listener)), 10000, 'the certificate to leave');
});

test('certificates: private keys never come back, and one in use cannot be deleted', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const me = new Account(server);
  const { makeCertificate } = require('./harness');
  const { cert, key } = makeCertificate('secret.example.com');
  const cas = server.cas();
  const uploaded = await cas.request('UploadUserCertificate', { Name: 'secret', Cert: cert, Key: key }, { method: 'POST' });
  assert.ok(Number.isInteger(uploaded.CertId));
  const detail = await cas.request('GetUserCertificateDetail', { CertId: uploaded.CertId }, {});
  assert.equal(detail.Common, 'secret.example.com');
  assert.equal(detail.Sans, 'secret.example.com');
  assert.equal(detail.Expired, false);
  assert.equal(detail.Key, undefined);
  assert.ok(!JSON.stringify(detail).includes('PRIVATE KEY'));
  const keyBody = key.split('\n').filter((l) => l && !l.startsWith('-----')).join('');
  const fs = require('node:fs');
  const db = fs.readFileSync(`${server.dataDir}/openalb.db`, 'latin1') +
    (fs.existsSync(`${server.dataDir}/openalb.db-wal`) ? fs.readFileSync(`${server.dataDir}/openalb.db-wal`, 'latin1') : '');
  assert.ok(!db.includes(keyBody.slice(0, 40)), 'the private key must be sealed at rest');
  assert.ok(!server.stderr.includes(keyBody.slice(0, 40)), 'the private key must never be logged');

  const bad = await rejection(() => cas.request('UploadUserCertificate', { Name: 'bad', Cert: cert, Key: makeCertificate('other.test').key }, { method: 'POST' }));
  assert.equal(bad.code, 'InvalidParameter');
  assert.match(bad.data.Message, /Key/);

  const lb = await me.createLoadBalancer();
  const listener = await me.createListener(lb, 'HTTPS', 443, `${uploaded.CertId}-cn-hangzhou`);
  await me.waitRunning(listener);
  const inUse = await rejection(() => cas.request('DeleteUserCertificate', { CertId: uploaded.CertId }, {}));
  assert.equal(inUse.code, 'OperationDenied.CertificateInUse');
  const listed = await cas.request('ListUserCertificateOrder', { OrderType: 'UPLOAD' }, {});
  assert.equal(listed.TotalCount, 1);
  assert.equal(listed.CertificateOrderList[0].CertIdentifier, `${uploaded.CertId}-cn-hangzhou`);

  // Through the CLI too: import, list, delete.
  const cliCert = makeCertificate('cli.example.com');
  const dir = fs.mkdtempSync(require('node:path').join(require('node:os').tmpdir(), 'openalb-cli-'));
  fs.writeFileSync(`${dir}/c.pem`, cliCert.cert);
  fs.writeFileSync(`${dir}/k.pem`, cliCert.key);
  const id = server.cli('certs', 'import', '--name', 'cli', '--cert', `${dir}/c.pem`, '--key', `${dir}/k.pem`).trim();
  fs.rmSync(dir, { recursive: true, force: true });
  assert.match(id, /^\d{8}-cn-hangzhou$/);
  const listing = server.cli('certs', 'list');
  assert.ok(listing.includes(id) && listing.includes('cli.example.com'));
  assert.ok(!listing.includes('PRIVATE'));
  await me.associate(listener, [id]);  // the server sees the CLI's import at once
  await me.waitRunning(listener);
  assert.equal((await me.certificates(listener))[id], 'Associated');
});
