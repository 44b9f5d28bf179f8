// TLS security policies, shown by real handshakes: an HTTPS listener's SecurityPolicyId (by
// default tls_cipher_policy_1_0, as on ALB) decides which TLS versions and cipher suites its
// handshakes accept; a system policy or a custom one (CreateSecurityPolicy, TLSVersions and
// Ciphers echoed in the order given) applies live when the listener or the policy changes;
// a policy in use cannot be deleted; bad versions, ciphers and ids are refused with ALB's codes.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const tls = require('node:tls');
const Alb = require('@alicloud/alb20200616');
const { Server, rejection, model } = require('./harness');

// A handshake with `options` (minVersion, maxVersion, ciphers): { protocol, cipher } or the error.
function handshake(port, options) {
  return new Promise((resolve) => {
    const socket = tls.connect({ host: '127.0.0.1', port, servername: 'policy.test', rejectUnauthorized: false, ...options }, () => {
      const result = { protocol: socket.getProtocol(), cipher: socket.getCipher().name };
      socket.destroy();
      resolve(result);
    });
    socket.on('error', (error) => resolve({ error: error.code || error.message }));
  });
}
const tls10 = { minVersion: 'TLSv1', maxVersion: 'TLSv1', ciphers: 'DEFAULT@SECLEVEL=0' };
const tls12 = { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2' };
const tls13 = { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' };

async function setUp(t) {
  const server = await Server.start();
  t.after(() => server.stop());
  const certificateId = await server.uploadCertificate('policy.test');
  const { listenerId, port } = await server.listener({ protocol: 'HTTPS', port: 443, certificateId });
  return { server, alb: server.alb(), listenerId, port };
}

async function setPolicy(server, listenerId, policyId) {
  await server.waitJob((await server.call('UpdateListenerAttribute', { ListenerId: listenerId, SecurityPolicyId: policyId })).JobId);
}

test('the system policies are listed, and a listener\'s policy sets the versions and ciphers its handshakes accept, live', async (t) => {
  const { server, alb, listenerId, port } = await setUp(t);
  const { body: system } = await alb.listSystemSecurityPolicies();
  const byId = Object.fromEntries(system.securityPolicies.map((p) => [p.securityPolicyId, p]));
  assert.deepEqual(Object.keys(byId).sort(), ['tls_cipher_policy_1_0', 'tls_cipher_policy_1_1', 'tls_cipher_policy_1_2',
    'tls_cipher_policy_1_2_strict', 'tls_cipher_policy_1_2_strict_with_1_3']);
  assert.deepEqual(byId.tls_cipher_policy_1_0.TLSVersions, ['TLSv1.0', 'TLSv1.1', 'TLSv1.2']);
  assert.ok(byId.tls_cipher_policy_1_2_strict_with_1_3.ciphers.includes('TLS_AES_128_GCM_SHA256'));

  // ALB's default: TLS 1.0 to 1.2, no TLS 1.3.
  const { body: listener } = await alb.getListenerAttribute(new Alb.GetListenerAttributeRequest({ listenerId }));
  assert.equal(listener.securityPolicyId, 'tls_cipher_policy_1_0');
  assert.equal((await handshake(port, tls10)).protocol, 'TLSv1');
  assert.equal((await handshake(port, tls12)).protocol, 'TLSv1.2');
  assert.ok((await handshake(port, tls13)).error, 'TLS 1.3 is outside tls_cipher_policy_1_0');
  // CBC with SHA-1 is in the 1.0 policy.
  assert.equal((await handshake(port, { ...tls12, ciphers: 'ECDHE-ECDSA-AES128-SHA' })).cipher, 'ECDHE-ECDSA-AES128-SHA');

  await setPolicy(server, listenerId, 'tls_cipher_policy_1_2_strict_with_1_3');
  assert.equal((await handshake(port, tls13)).protocol, 'TLSv1.3');
  assert.equal((await handshake(port, tls12)).protocol, 'TLSv1.2');
  assert.ok((await handshake(port, tls10)).error, 'TLS 1.0 refused by the strict policy');
  const { body: after } = await alb.getListenerAttribute(new Alb.GetListenerAttributeRequest({ listenerId }));
  assert.equal(after.securityPolicyId, 'tls_cipher_policy_1_2_strict_with_1_3');

  await setPolicy(server, listenerId, 'tls_cipher_policy_1_2');
  assert.ok((await handshake(port, tls13)).error);
  assert.ok((await handshake(port, { minVersion: 'TLSv1.1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT@SECLEVEL=0' })).error);
  assert.equal((await handshake(port, tls12)).protocol, 'TLSv1.2');
});

test('a custom policy is echoed in order, served, changed live by its job, and cannot be deleted while used', async (t) => {
  const { server, alb, listenerId, port } = await setUp(t);
  const { body: created } = await alb.createSecurityPolicy(model('CreateSecurityPolicyRequest', {
    SecurityPolicyName: 'only-aes256', TLSVersions: ['TLSv1.2'],
    Ciphers: ['ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-AES256-GCM-SHA384'], Tag: [{ Key: 'team', Value: 'edge' }],
  }));
  const policyId = created.securityPolicyId;
  assert.match(policyId, /^spy-/);
  const { body: listed } = await alb.listSecurityPolicies(model('ListSecurityPoliciesRequest', { SecurityPolicyIds: [policyId] }));
  const shown = listed.securityPolicies[0];
  assert.equal(shown.securityPolicyName, 'only-aes256');
  assert.equal(shown.securityPolicyStatus, 'Available');
  assert.deepEqual(shown.TLSVersions, ['TLSv1.2']);
  assert.deepEqual(shown.ciphers, ['ECDHE-RSA-AES256-GCM-SHA384', 'ECDHE-ECDSA-AES256-GCM-SHA384'], 'in the order given');
  assert.deepEqual(shown.tags.map((x) => [x.key, x.value]), [['team', 'edge']]);

  await setPolicy(server, listenerId, policyId);
  assert.equal((await handshake(port, tls12)).cipher, 'ECDHE-ECDSA-AES256-GCM-SHA384');
  assert.ok((await handshake(port, { ...tls12, ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' })).error, 'a cipher outside the policy');
  assert.ok((await handshake(port, tls13)).error);

  // The relation, and deletion refused while the listener uses it.
  const { body: relations } = await alb.listSecurityPolicyRelations(model('ListSecurityPolicyRelationsRequest', { SecurityPolicyIds: [policyId] }));
  assert.deepEqual(relations.secrityPolicyRelations[0].relatedListeners.map((l) => l.listenerId), [listenerId]);
  const inUse = await rejection(() => alb.deleteSecurityPolicy(model('DeleteSecurityPolicyRequest', { SecurityPolicyId: policyId })));
  assert.equal(inUse.code, 'ResourceInUse.SecurityPolicy');
  assert.equal(inUse.statusCode, 400);

  // UpdateSecurityPolicyAttribute: TLS 1.3 added, live once its job succeeds.
  const { body: update } = await alb.updateSecurityPolicyAttribute(model('UpdateSecurityPolicyAttributeRequest', {
    SecurityPolicyId: policyId, TLSVersions: ['TLSv1.2', 'TLSv1.3'],
    Ciphers: ['ECDHE-ECDSA-AES256-GCM-SHA384', 'TLS_AES_256_GCM_SHA384'],
  }));
  await server.waitJob(update.jobId);
  const upgraded = await handshake(port, tls13);
  assert.equal(upgraded.protocol, 'TLSv1.3');
  assert.equal(upgraded.cipher, 'TLS_AES_256_GCM_SHA384');
  // TLS 1.2 still only on the policy's TLS 1.2 cipher.
  assert.ok((await handshake(port, { ...tls12, ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' })).error);
  assert.equal((await handshake(port, tls12)).cipher, 'ECDHE-ECDSA-AES256-GCM-SHA384');
  // A TLS 1.3 client offering only a suite outside the policy is refused.
  assert.ok((await handshake(port, { ...tls13, ciphers: 'TLS_AES_128_GCM_SHA256' })).error);
  const { body: relisted } = await alb.listSecurityPolicies(model('ListSecurityPoliciesRequest', { SecurityPolicyIds: [policyId] }));
  assert.deepEqual(relisted.securityPolicies[0].TLSVersions, ['TLSv1.2', 'TLSv1.3']);

  await setPolicy(server, listenerId, 'tls_cipher_policy_1_2_strict');
  await alb.deleteSecurityPolicy(model('DeleteSecurityPolicyRequest', { SecurityPolicyId: policyId }));
  const gone = await rejection(() => alb.listSecurityPolicyRelations(model('ListSecurityPolicyRelationsRequest', { SecurityPolicyIds: [policyId] })));
  assert.equal(gone.code, 'ResourceNotFound.SecurityPolicy');
});

test('bad versions, ciphers and policy ids are refused with ALB\'s codes', async (t) => {
  const { server, alb, listenerId } = await setUp(t);
  const create = (fields) => rejection(() => alb.createSecurityPolicy(model('CreateSecurityPolicyRequest', { SecurityPolicyName: 'policy', ...fields })));
  let e = await create({ TLSVersions: ['TLSv1.2'], Ciphers: ['RC4-MD5'] });
  assert.equal(e.code, 'InvalidParameter');
  assert.match(e.message, /RC4-MD5/);
  e = await create({ TLSVersions: ['SSLv3'], Ciphers: ['ECDHE-RSA-AES128-GCM-SHA256'] });
  assert.equal(e.code, 'InvalidParameter');
  e = await create({ TLSVersions: ['TLSv1.2'], Ciphers: ['TLS_AES_128_GCM_SHA256'] });
  assert.equal(e.code, 'InvalidParameter', 'a TLS 1.3 suite without TLS 1.3');
  e = await create({ TLSVersions: ['TLSv1.2'] });
  assert.equal(e.code, 'MissingCiphers');

  const missing = await rejection(() => server.call('UpdateListenerAttribute', { ListenerId: listenerId, SecurityPolicyId: 'spy-00000000000000000000' }));
  assert.equal(missing.data.Code, 'ResourceNotFound.SecurityPolicy');
  const other = await rejection(() => alb.updateSecurityPolicyAttribute(model('UpdateSecurityPolicyAttributeRequest', { SecurityPolicyId: 'spy-00000000000000000000', SecurityPolicyName: 'renamed' })));
  assert.equal(other.code, 'ResourceNotFound.SecurityPolicy');
  assert.equal(other.statusCode, 404);
});

test('alicloud_alb_security_policy\'s calls, as the Terraform provider makes them, apply, read back unchanged, update and destroy', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  // Create: V1 form POST with the lists flattened, no tags on the create itself.
  const created = await server.call('CreateSecurityPolicy', {
    ClientToken: 'tf-sp-1', ResourceGroupId: 'rg-tf', SecurityPolicyName: 'tf-policy',
    'TLSVersions.1': 'TLSv1.3', 'TLSVersions.2': 'TLSv1.2',
    'Ciphers.1': 'TLS_AES_128_GCM_SHA256', 'Ciphers.2': 'ECDHE-ECDSA-AES128-GCM-SHA256', 'Ciphers.3': 'ECDHE-RSA-AES128-GCM-SHA256',
  });
  const id = created.SecurityPolicyId;
  // Tags through the update path.
  await server.call('TagResources', { ResourceType: 'securitypolicy', 'ResourceId.1': id, 'Tag.1.Key': 'Created', 'Tag.1.Value': 'tf' });
  // Read: ListSecurityPolicies without an id filter, then ListTagResources.
  const read = async () => {
    const all = await server.call('ListSecurityPolicies', { MaxResults: 100 });
    const policy = JSON.parse(JSON.stringify(all.SecurityPolicies.find((p) => p.SecurityPolicyId === id)));
    const tags = await server.call('ListTagResources', { ResourceType: 'securitypolicy', 'ResourceId.1': id });
    return { policy, tags: tags.TagResources.map((x) => [x.TagKey, x.TagValue]) };
  };
  const first = await read();
  assert.deepEqual(first.policy.TLSVersions, ['TLSv1.3', 'TLSv1.2'], 'the order sent');
  assert.deepEqual(first.policy.Ciphers, ['TLS_AES_128_GCM_SHA256', 'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256']);
  assert.equal(first.policy.SecurityPolicyName, 'tf-policy');
  assert.equal(first.policy.ResourceGroupId, 'rg-tf');
  assert.equal(first.policy.SecurityPolicyStatus, 'Available');
  assert.deepEqual(first.tags, [['Created', 'tf']]);
  assert.deepEqual(await read(), first, 'a second read is the same: an empty plan');

  // Update as the provider sends it (including its stray empty-named list, which is ignored),
  // then its wait for Available.
  const update = await server.call('UpdateSecurityPolicyAttribute', {
    SecurityPolicyId: id, SecurityPolicyName: 'tf-policy-2', '.1': 'TLSv1.2',
    'TLSVersions.1': 'TLSv1.2', 'Ciphers.1': 'ECDHE-RSA-AES256-GCM-SHA384',
  });
  await server.waitJob(update.JobId);
  const after = await read();
  assert.equal(after.policy.SecurityPolicyName, 'tf-policy-2');
  assert.deepEqual(after.policy.TLSVersions, ['TLSv1.2']);
  assert.deepEqual(after.policy.Ciphers, ['ECDHE-RSA-AES256-GCM-SHA384']);
  assert.equal(after.policy.SecurityPolicyStatus, 'Available');

  // Destroy; a second delete answers ResourceNotFound.SecurityPolicy, which the provider takes as done.
  await server.call('DeleteSecurityPolicy', { ClientToken: 'tf-sp-del', SecurityPolicyId: id });
  assert.equal((await rejection(() => server.call('DeleteSecurityPolicy', { SecurityPolicyId: id }))).data.Code, 'ResourceNotFound.SecurityPolicy');
  const gone = await server.call('ListSecurityPolicies', { MaxResults: 100 });
  assert.ok(!gone.SecurityPolicies.some((p) => p.SecurityPolicyId === id));
});
