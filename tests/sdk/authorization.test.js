// Authorization as a user meets it: RAM users and policies made with the openalb CLI,
// requests from the official SDKs signed with the users' own AccessKeys. A list-only user
// lists but may not dissociate; a Deny on one load balancer's ARN blocks that one only; a
// SourceIp condition refuses other addresses; another account's listener does not exist;
// and every mutating request, allowed or denied, is in the audit log.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const Alb = require('@alicloud/alb20200616');
const { Server, waitFor, rejection, BIN } = require('./harness');

// Parses "Name:   value" lines the CLI prints for a new key.
function fields(output) {
  return Object.fromEntries(output.trim().split('\n').map((line) => line.split(/:\s+/)));
}

class Identities {
  constructor(server) {
    this.server = server;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openalb-policies-'));
  }

  cli(...args) { return this.server.cli(...args); }

  // Creates a RAM user with `statements` as its one policy; returns its V3 client and key.
  user(name, statements, { account } = {}) {
    const scope = account ? ['--account', account] : [];
    const file = path.join(this.dir, `${name}.json`);
    fs.writeFileSync(file, JSON.stringify({ Version: '1', Statement: statements }));
    this.cli('users', 'create', name, ...scope);
    this.cli('policies', 'create', `${name}-policy`, '--document', file, ...scope);
    this.cli('policies', 'attach', '--policy', `${name}-policy`, '--user', name, ...scope);
    const key = fields(this.cli('keys', 'create', '--user', name, ...scope));
    assert.equal(key.UserName, name);
    return {
      key,
      alb: this.server.alb({ accessKeyId: key.AccessKeyId, accessKeySecret: key.AccessKeySecret }),
      pop: this.server.pop({ accessKeyId: key.AccessKeyId, accessKeySecret: key.AccessKeySecret }),
    };
  }

  audit() {
    return this.cli('audit', '--json').trim().split('\n').filter(Boolean).map(JSON.parse);
  }
}

async function job(alb, jobId) {
  await waitFor(async () => {
    const { body } = await alb.listAsynJobs(new Alb.ListAsynJobsRequest({ jobIds: [jobId] }));
    assert.notEqual(body.jobs[0].status, 'Failed', JSON.stringify(body.jobs[0]));
    return body.jobs[0].status === 'Succeeded';
  }, 10000, `job ${jobId}`);
}

// As the account's root: two load balancers, each with an HTTPS listener serving a default
// and an additional certificate.
async function setUp(t) {
  const server = await Server.start();
  t.after(() => server.stop());
  const root = server.alb();
  const sites = [];
  for (const [name, port] of [['one', 443], ['two', 8443]]) {
    const { body: lb } = await root.createLoadBalancer(new Alb.CreateLoadBalancerRequest({
      loadBalancerName: name, loadBalancerEdition: 'Standard', vpcId: 'vpc-1', addressType: 'Internet',
      loadBalancerBillingConfig: new Alb.CreateLoadBalancerRequestLoadBalancerBillingConfig({ payType: 'PostPay' }),
    }));
    await job(root, lb.jobId);
    const defaultCertificate = await server.uploadCertificate(`${name}.example.com`);
    const extra = await server.uploadCertificate(`extra.${name}.example.com`);
    const { body: listener } = await root.createListener(new Alb.CreateListenerRequest({
      loadBalancerId: lb.loadBalancerId, listenerProtocol: 'HTTPS', listenerPort: port,
      certificates: [new Alb.CreateListenerRequestCertificates({ certificateId: defaultCertificate })],
    }));
    await job(root, listener.jobId);
    const { body: associated } = await root.associateAdditionalCertificatesWithListener(
      new Alb.AssociateAdditionalCertificatesWithListenerRequest({
        listenerId: listener.listenerId,
        certificates: [new Alb.AssociateAdditionalCertificatesWithListenerRequestCertificates({ certificateId: extra })],
      }));
    await job(root, associated.jobId);
    sites.push({ lb: lb.loadBalancerId, listener: listener.listenerId, extra });
  }
  return { server, root, sites, ids: new Identities(server) };
}

function dissociate(alb, site, options = {}) {
  return alb.dissociateAdditionalCertificatesFromListener(
    new Alb.DissociateAdditionalCertificatesFromListenerRequest({
      listenerId: site.listener,
      certificates: [new Alb.DissociateAdditionalCertificatesFromListenerRequestCertificates({ certificateId: site.extra })],
      ...options,
    }));
}

async function additional(alb, site) {
  const { body } = await alb.listListenerCertificates(
    new Alb.ListListenerCertificatesRequest({ listenerId: site.listener }));
  return body.certificates.filter((c) => !c.isDefault).map((c) => `${c.certificateId} ${c.status}`);
}

test('a user allowed alb:List* lists, and gets 403 Forbidden.NoPermission on Dissociate', async (t) => {
  const { server, root, sites, ids } = await setUp(t);
  const lister = ids.user('lister', [{ Effect: 'Allow', Action: 'alb:List*', Resource: '*' }]);

  const { body: listeners } = await lister.alb.listListeners(new Alb.ListListenersRequest({}));
  assert.deepEqual(listeners.listeners.map((l) => l.listenerId).sort(), sites.map((s) => s.listener).sort());
  assert.deepEqual(await additional(lister.alb, sites[0]), [`${sites[0].extra} Associated`]);

  const denied = await rejection(() => dissociate(lister.alb, sites[0]));
  assert.equal(denied.statusCode, 403);
  assert.equal(denied.code, 'Forbidden.NoPermission');
  assert.match(denied.message, /alb:DissociateAdditionalCertificatesFromListener/);
  const detail = denied.data.AccessDeniedDetail;
  assert.equal(detail.NoPermissionType, 'ImplicitDeny');
  assert.equal(detail.AuthAction, 'alb:DissociateAdditionalCertificatesFromListener');
  assert.equal(detail.AuthPrincipalDisplayName, 'lister');
  assert.equal(detail.AuthPrincipalOwnerId, server.credentials.AccountId);
  // Not a List* action either, and nothing changed.
  const get = await rejection(() => lister.alb.getListenerAttribute(
    new Alb.GetListenerAttributeRequest({ listenerId: sites[0].listener })));
  assert.equal(get.code, 'Forbidden.NoPermission');
  assert.deepEqual(await additional(root, sites[0]), [`${sites[0].extra} Associated`]);

  // The V1 client (pop-core) meets the same refusal, and DescribeRegions is not List* either.
  const v1 = await rejection(() => lister.pop.request('DescribeRegions', {}));
  assert.equal(v1.code, 'Forbidden.NoPermission');
  assert.equal(v1.entry.response.statusCode, 403);
  assert.equal(v1.data.AccessDeniedDetail.AuthAction, 'alb:DescribeRegions');

  // Granting Dissociate (the CLI changes the policy; the server sees it within a second).
  const file = path.join(ids.dir, 'lister-more.json');
  fs.writeFileSync(file, JSON.stringify({ Version: '1', Statement: [
    { Effect: 'Allow', Action: ['alb:List*', 'alb:DissociateAdditionalCertificatesFromListener'], Resource: '*' }] }));
  ids.cli('policies', 'update', 'lister-policy', '--document', file);
  const { body: accepted } = await waitFor(async () => {
    try {
      return await dissociate(lister.alb, sites[0]);
    } catch (e) {
      assert.equal(e.code, 'Forbidden.NoPermission');
      return null;
    }
  }, 5000, 'the new policy to apply');
  assert.match(accepted.jobId, /\S/);
  await waitFor(async () => (await additional(root, sites[0])).length === 0, 10000, 'the dissociation');
});

test('a Deny on one load balancer ARN blocks Dissociate there and not on another', async (t) => {
  const { server, root, sites, ids } = await setUp(t);
  const account = server.credentials.AccountId;
  const operator = ids.user('operator', [
    { Effect: 'Allow', Action: 'alb:*', Resource: '*' },
    { Effect: 'Deny', Action: 'alb:Dissociate*', Resource: `acs:alb:*:${account}:loadbalancer/${sites[0].lb}` },
  ]);

  const denied = await rejection(() => dissociate(operator.alb, sites[0]));
  assert.equal(denied.statusCode, 403);
  assert.equal(denied.code, 'Forbidden.NoPermission');
  assert.equal(denied.data.AccessDeniedDetail.NoPermissionType, 'ExplicitDeny');
  assert.match(denied.message, new RegExp(`loadbalancer/${sites[0].lb}`));
  const diagnostic = JSON.parse(Buffer.from(denied.data.AccessDeniedDetail.EncodedDiagnosticMessage, 'base64'));
  assert.equal(diagnostic.DenyPolicyName, 'operator-policy');

  const { body } = await dissociate(operator.alb, sites[1], { clientToken: 'operator-1' });
  await job(root, body.jobId);
  assert.deepEqual(await additional(root, sites[1]), []);
  assert.deepEqual(await additional(root, sites[0]), [`${sites[0].extra} Associated`]);
  // Other actions on the denied load balancer stay allowed.
  const { body: attrs } = await operator.alb.getListenerAttribute(
    new Alb.GetListenerAttributeRequest({ listenerId: sites[0].listener }));
  assert.equal(attrs.loadBalancerId, sites[0].lb);

  // The audit log has both requests, as they were answered, with the caller and the ARN.
  const audit = ids.audit().filter((e) => e.UserName === 'operator');
  assert.deepEqual(audit.map((e) => [e.Action, e.Resource, e.Result, e.Code]), [
    ['alb:DissociateAdditionalCertificatesFromListener', `acs:alb:cn-hangzhou:${account}:loadbalancer/${sites[0].lb}`, 'Denied', 'Forbidden.NoPermission'],
    ['alb:DissociateAdditionalCertificatesFromListener', `acs:alb:cn-hangzhou:${account}:loadbalancer/${sites[1].lb}`, 'Success', ''],
  ]);
  assert.equal(audit[0].RequestId, denied.data.RequestId);
  assert.equal(audit[1].RequestId, body.requestId);
  assert.equal(audit[1].AccessKeyId, operator.key.AccessKeyId);
  assert.equal(audit[1].SourceIp, '127.0.0.1');
  // Reads are not audited; the root's writes are.
  assert.ok(ids.audit().some((e) => e.UserName === '' && e.Action === 'alb:CreateListener' && e.Result === 'Success'));
  assert.ok(!ids.audit().some((e) => /:(List|Get)/.test(e.Action)));
});

test('another account does not see this account\'s listener: ResourceNotFound.Listener', async (t) => {
  const { server, root, sites, ids } = await setUp(t);
  const b = fields(ids.cli('accounts', 'create', 'tenant-b'));
  assert.notEqual(b.AccountId, server.credentials.AccountId);
  const rootB = server.alb({ accessKeyId: b.AccessKeyId, accessKeySecret: b.AccessKeySecret });
  const adminB = ids.user('admin', [{ Effect: 'Allow', Action: '*', Resource: '*' }], { account: b.AccountId });

  for (const alb of [rootB, adminB.alb]) {
    const missing = await rejection(() => dissociate(alb, sites[0]));
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.code, 'ResourceNotFound.Listener');
    const get = await rejection(() => alb.getListenerAttribute(new Alb.GetListenerAttributeRequest({ listenerId: sites[0].listener })));
    assert.equal(get.code, 'ResourceNotFound.Listener');
    const lb = await rejection(() => alb.getLoadBalancerAttribute(new Alb.GetLoadBalancerAttributeRequest({ loadBalancerId: sites[0].lb })));
    assert.equal(lb.code, 'ResourceNotFound.LoadBalancer');
    const { body } = await alb.listListeners(new Alb.ListListenersRequest({}));
    assert.equal(body.totalCount, 0);
  }
  // Account A's listener is untouched, and A's own users cannot see B's user's work either.
  assert.deepEqual(await additional(root, sites[0]), [`${sites[0].extra} Associated`]);
  const auditB = JSON.parse(`[${ids.cli('audit', '--json', '--account', b.AccountId).trim().split('\n').join(',')}]`);
  assert.ok(auditB.length >= 2);
  assert.ok(auditB.every((e) => e.AccountId === b.AccountId && e.Code === 'ResourceNotFound.Listener'));
});

test('a SourceIp condition denies a request from an address it does not name', async (t) => {
  const { root, sites, ids } = await setUp(t);
  const office = ids.user('office', [{
    Effect: 'Allow', Action: 'alb:*', Resource: '*', Condition: { IpAddress: { 'acs:SourceIp': ['10.0.0.0/8'] } },
  }]);
  const denied = await rejection(() => dissociate(office.alb, sites[0]));
  assert.equal(denied.statusCode, 403);
  assert.equal(denied.code, 'Forbidden.NoPermission');
  assert.deepEqual(await additional(root, sites[0]), [`${sites[0].extra} Associated`]);

  const local = ids.user('local', [{
    Effect: 'Allow', Action: 'alb:*', Resource: '*', Condition: { IpAddress: { 'acs:SourceIp': '127.0.0.0/8' } },
  }, {
    Effect: 'Deny', Action: 'alb:*', Resource: '*', Condition: { Bool: { 'acs:SecureTransport': 'true' } },
  }]);
  const { body } = await dissociate(local.alb, sites[0]);
  await job(root, body.jobId);
  assert.deepEqual(await additional(root, sites[0]), []);
});

test('the CLI refuses a malformed policy, naming what is wrong, and stores nothing', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openalb-bad-policy-'));
  const cases = [
    ['{"Version":"1","Statement":[{"Effect":"Permit","Action":"*","Resource":"*"}]}', /Effect must be Allow or Deny/],
    ['{"Version":"1","Statement":[{"Effect":"Allow","Resource":"*"}]}', /Action is required/],
    ['{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"IpAddress":{"acs:SourceIp":"10.0.0.0/33"}}}]}', /invalid value 10\.0\.0\.0\/33/],
    ['{"Version":"1","Statement":[{"Effect":"Allow","Action":"*","Resource":"*","Condition":{"StringEquals":{"acs:SourceIp":"x"}}}]}', /StringEquals is not supported/],
    ['not json', /not a JSON object/],
  ];
  for (const [document, why] of cases) {
    const file = path.join(dir, 'p.json');
    fs.writeFileSync(file, document);
    let failure;
    try {
      execFileSync(BIN, ['policies', 'create', 'bad', '--document', file, '--data-dir', server.dataDir], { encoding: 'utf8', stdio: 'pipe' });
    } catch (e) {
      failure = e;
    }
    assert.ok(failure, `accepted ${document}`);
    assert.equal(failure.status, 1);
    assert.match(failure.stderr, why);
  }
  assert.doesNotMatch(server.cli('policies', 'list'), /\bbad\b/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test('ACLs, security policies and health check templates are authorised on their own ARNs', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const root = server.pop();
  const ids = new Identities(server);
  const account = server.credentials.AccountId;
  const acl = (await root.request('CreateAcl', { AclName: 'one' }, { method: 'POST' })).AclId;
  const otherAcl = (await root.request('CreateAcl', { AclName: 'two' }, { method: 'POST' })).AclId;
  const policy = (await root.request('CreateSecurityPolicy', { SecurityPolicyName: 'policy', 'TLSVersions.1': 'TLSv1.2', 'Ciphers.1': 'ECDHE-RSA-AES128-GCM-SHA256' }, { method: 'POST' })).SecurityPolicyId;
  const template = (await root.request('CreateHealthCheckTemplate', { HealthCheckTemplateName: 'template' }, { method: 'POST' })).HealthCheckTemplateId;
  const editor = ids.user('editor', [{
    Effect: 'Allow', Action: ['alb:UpdateAclAttribute', 'alb:UpdateSecurityPolicyAttribute', 'alb:UpdateHealthCheckTemplateAttribute'],
    Resource: [`acs:alb:*:${account}:acl/${acl}`, `acs:alb:*:${account}:securitypolicy/${policy}`, `acs:alb:*:${account}:healthchecktemplate/${template}`],
  }]);
  await waitFor(async () => {
    try {
      await editor.pop.request('UpdateAclAttribute', { AclId: acl, AclName: 'one-b' }, { method: 'POST' });
      return true;
    } catch {
      return false;
    }
  }, 5000, 'the policy to apply');
  await editor.pop.request('UpdateSecurityPolicyAttribute', { SecurityPolicyId: policy, SecurityPolicyName: 'policy-2' }, { method: 'POST' });
  await editor.pop.request('UpdateHealthCheckTemplateAttribute', { HealthCheckTemplateId: template, HealthCheckInterval: 5 }, { method: 'POST' });
  const denied = await rejection(() => editor.pop.request('UpdateAclAttribute', { AclId: otherAcl, AclName: 'x' }, { method: 'POST' }));
  assert.equal(denied.data.Code, 'Forbidden.NoPermission');
  const audit = ids.audit().filter((e) => e.UserName === 'editor').map((e) => [e.Action, e.Resource, e.Result]);
  assert.deepEqual(audit.slice(-4), [
    ['alb:UpdateAclAttribute', `acs:alb:cn-hangzhou:${account}:acl/${acl}`, 'Success'],
    ['alb:UpdateSecurityPolicyAttribute', `acs:alb:cn-hangzhou:${account}:securitypolicy/${policy}`, 'Success'],
    ['alb:UpdateHealthCheckTemplateAttribute', `acs:alb:cn-hangzhou:${account}:healthchecktemplate/${template}`, 'Success'],
    ['alb:UpdateAclAttribute', `acs:alb:cn-hangzhou:${account}:acl/${otherAcl}`, 'Denied'],
  ]);
});
