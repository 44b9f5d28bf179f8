// alicloud_alb_load_balancer's life as the Terraform provider drives it (resource_alicloud_alb_
// load_balancer.go): a V1-signed form POST CreateLoadBalancer with every field the resource
// has — ZoneMappings, LoadBalancerBillingConfig, AddressAllocatedMode, ResourceGroupId,
// ModificationProtectionConfig, DeletionProtectionEnabled, Tags.N — then a wait for Active,
// TagResources, reads that give back what was sent (and the same on a second read: an empty
// plan), UpdateLoadBalancerAttribute, and a destroy that deletion protection first refuses.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const Alb = require('@alicloud/alb20200616');
const { Server, rejection, waitFor } = require('./harness');

// What the provider's read takes from GetLoadBalancerAttribute, as plain data.
function planned(lb) {
  const plain = JSON.parse(JSON.stringify(lb));
  delete plain.RequestId;
  return plain;
}

async function waitActive(server, id) {
  await waitFor(async () => (await server.call('GetLoadBalancerAttribute', { LoadBalancerId: id })).LoadBalancerStatus === 'Active',
    10000, `${id} Active`);
}

test('a load balancer created with every Terraform field reads back as sent, changes, and is protected from deletion', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());

  const created = await server.call('CreateLoadBalancer', {
    ClientToken: 'tf-create-1', VpcId: 'vpc-tf', AddressType: 'Internet', LoadBalancerName: 'tf-alb',
    AddressAllocatedMode: 'Fixed', ResourceGroupId: 'rg-tf', LoadBalancerEdition: 'Standard',
    'ZoneMappings.1.ZoneId': 'cn-hangzhou-j', 'ZoneMappings.1.VSwitchId': 'vsw-j',
    'ZoneMappings.2.ZoneId': 'cn-hangzhou-k', 'ZoneMappings.2.VSwitchId': 'vsw-k',
    'LoadBalancerBillingConfig.PayType': 'PostPay',
    'ModificationProtectionConfig.Status': 'ConsoleProtection', 'ModificationProtectionConfig.Reason': 'managed-by-tf',
    AddressIpVersion: 'IPv4', DeletionProtectionEnabled: 'true',
    'Tags.1.Key': 'Created', 'Tags.1.Value': 'tf',
  });
  const id = created.LoadBalancerId;
  await waitActive(server, id);
  // The provider's update path after create: tags through TagResources.
  await server.call('TagResources', { ResourceType: 'loadbalancer', 'ResourceId.1': id, 'Tag.1.Key': 'For', 'Tag.1.Value': 'test' });

  const first = planned(await server.call('GetLoadBalancerAttribute', { LoadBalancerId: id }));
  assert.equal(first.LoadBalancerName, 'tf-alb');
  assert.equal(first.AddressType, 'Internet');
  assert.equal(first.AddressAllocatedMode, 'Fixed');
  assert.equal(first.AddressIpVersion, 'IPv4');
  assert.equal(first.ResourceGroupId, 'rg-tf');
  assert.equal(first.VpcId, 'vpc-tf');
  assert.equal(first.LoadBalancerEdition, 'Standard');
  assert.deepEqual(first.LoadBalancerBillingConfig, { PayType: 'PostPay' });
  assert.deepEqual(first.ModificationProtectionConfig, { Status: 'ConsoleProtection', Reason: 'managed-by-tf' });
  assert.equal(first.DeletionProtectionConfig.Enabled, true);
  assert.match(first.DeletionProtectionConfig.EnabledTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(first.ZoneMappings.map((z) => [z.ZoneId, z.VSwitchId]), [['cn-hangzhou-j', 'vsw-j'], ['cn-hangzhou-k', 'vsw-k']]);
  assert.deepEqual(first.Tags.map((x) => [x.Key, x.Value]), [['Created', 'tf'], ['For', 'test']]);
  // A second read is the same: terraform plan is empty.
  assert.deepEqual(planned(await server.call('GetLoadBalancerAttribute', { LoadBalancerId: id })), first);
  // The SDK reads the same fields.
  const { body } = await server.alb().getLoadBalancerAttribute(new Alb.GetLoadBalancerAttributeRequest({ loadBalancerId: id }));
  assert.equal(body.loadBalancerBillingConfig.payType, 'PostPay');
  assert.equal(body.zoneMappings[1].vSwitchId, 'vsw-k');
  assert.equal(body.deletionProtectionConfig.enabled, true);

  // Update: a new name and modification protection off, settled by a job.
  const update = await server.call('UpdateLoadBalancerAttribute', {
    LoadBalancerId: id, LoadBalancerName: 'tf-alb-2', 'ModificationProtectionConfig.Status': 'NonProtection',
  });
  await server.waitJob(update.JobId);
  const updated = await server.call('GetLoadBalancerAttribute', { LoadBalancerId: id });
  assert.equal(updated.LoadBalancerName, 'tf-alb-2');
  assert.equal(updated.LoadBalancerStatus, 'Active');
  assert.equal(updated.ModificationProtectionConfig.Status, 'NonProtection');
  assert.equal(updated.AddressAllocatedMode, 'Fixed', 'fields not named stay');

  // Destroy: refused while deletion protection is on, as on ALB; then gone.
  const refused = await rejection(() => server.call('DeleteLoadBalancer', { LoadBalancerId: id }));
  assert.equal(refused.data.Code, 'OperationDenied.DeletionProtection');
  await server.call('DisableDeletionProtection', { ResourceId: id });
  assert.equal((await server.call('GetLoadBalancerAttribute', { LoadBalancerId: id })).DeletionProtectionConfig.Enabled, false);
  await server.waitJob((await server.call('DeleteLoadBalancer', { LoadBalancerId: id })).JobId);
  const gone = await rejection(() => server.call('GetLoadBalancerAttribute', { LoadBalancerId: id }));
  assert.equal(gone.data.Code, 'ResourceNotFound.LoadBalancer');
  const tags = await server.call('ListTagResources', { ResourceType: 'loadbalancer' });
  assert.deepEqual(tags.TagResources, []);
});

test('load balancer attributes are validated, named in the error, and defaulted as ALB shows them', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const base = { LoadBalancerName: 'x', LoadBalancerEdition: 'Standard', VpcId: 'vpc-1' };
  const refused = async (extra) => (await rejection(() => server.call('CreateLoadBalancer', { ...base, ...extra }))).data;

  let e = await refused({ AddressAllocatedMode: 'Sometimes' });
  assert.equal(e.Code, 'InvalidParameter');
  assert.match(e.Message, /AddressAllocatedMode/);
  e = await refused({ 'LoadBalancerBillingConfig.PayType': 'PrePay' });
  assert.equal(e.Code, 'InvalidParameter');
  assert.match(e.Message, /LoadBalancerBillingConfig\.PayType/);
  e = await refused({ 'ZoneMappings.1.ZoneId': 'cn-hangzhou-j' });
  assert.equal(e.Code, 'MissingZoneMappings.1.VSwitchId');
  e = await refused({ 'ZoneMappings.1.ZoneId': 'z', 'ZoneMappings.1.VSwitchId': 'a', 'ZoneMappings.2.ZoneId': 'z', 'ZoneMappings.2.VSwitchId': 'b' });
  assert.equal(e.Code, 'InvalidParameter');
  e = await refused({ 'ModificationProtectionConfig.Status': 'Locked' });
  assert.equal(e.Code, 'InvalidParameter');

  const plain = await server.call('CreateLoadBalancer', base);
  await waitActive(server, plain.LoadBalancerId);
  const read = await server.call('GetLoadBalancerAttribute', { LoadBalancerId: plain.LoadBalancerId });
  assert.equal(read.AddressAllocatedMode, 'Dynamic');
  assert.equal(read.LoadBalancerBillingConfig.PayType, 'PostPay');
  assert.equal(read.DeletionProtectionConfig.Enabled, false);
  assert.equal(read.ModificationProtectionConfig.Status, 'NonProtection');
  assert.deepEqual(read.ZoneMappings, []);
  // EnableDeletionProtection is honoured at once; a missing load balancer is named.
  await server.call('EnableDeletionProtection', { ResourceId: plain.LoadBalancerId });
  assert.equal((await rejection(() => server.call('DeleteLoadBalancer', { LoadBalancerId: plain.LoadBalancerId }))).data.Code,
    'OperationDenied.DeletionProtection');
  e = (await rejection(() => server.call('EnableDeletionProtection', { ResourceId: 'alb-00000000000000000000' }))).data;
  assert.equal(e.Code, 'ResourceNotFound.LoadBalancer');
});

test('DescribeZones lists the zones this server is configured with, as the alb_zones data source reads them', async (t) => {
  const plain = await Server.start();
  t.after(() => plain.stop());
  const { body } = await plain.alb().describeZones(new Alb.DescribeZonesRequest({}));
  assert.deepEqual(body.zones.map((z) => z.zoneId), ['cn-hangzhou-a', 'cn-hangzhou-b']);

  const configured = await Server.start({ args: ['--zones', 'cn-hangzhou-j,cn-hangzhou-k,cn-hangzhou-h'] });
  t.after(() => configured.stop());
  const zones = await configured.call('DescribeZones', {});
  assert.deepEqual(zones.Zones.map((z) => z.ZoneId), ['cn-hangzhou-j', 'cn-hangzhou-k', 'cn-hangzhou-h']);
  assert.ok(zones.Zones.every((z) => z.LocalName));
});

test('MoveResourceGroup records a load balancer\'s, server group\'s or security policy\'s new resource group', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const lb = await server.call('CreateLoadBalancer', { LoadBalancerName: 'x', LoadBalancerEdition: 'Standard', VpcId: 'vpc-1', ResourceGroupId: 'rg-1' });
  await waitActive(server, lb.LoadBalancerId);
  const move = (type, id) => server.call('MoveResourceGroup', { ResourceType: type, ResourceId: id, NewResourceGroupId: 'rg-2' });
  await move('loadbalancer', lb.LoadBalancerId);
  assert.equal((await server.call('GetLoadBalancerAttribute', { LoadBalancerId: lb.LoadBalancerId })).ResourceGroupId, 'rg-2');

  const group = await server.call('CreateServerGroup', { ServerGroupName: 'moved', ServerGroupType: 'Ip', VpcId: 'vpc-1' });
  await server.waitJob(group.JobId);
  await move('servergroup', group.ServerGroupId);
  const groups = await server.call('ListServerGroups', { 'ServerGroupIds.1': group.ServerGroupId });
  assert.equal(groups.ServerGroups[0].ResourceGroupId, 'rg-2');

  const policy = await server.call('CreateSecurityPolicy', {
    SecurityPolicyName: 'p1', 'TLSVersions.1': 'TLSv1.2', 'Ciphers.1': 'ECDHE-RSA-AES128-GCM-SHA256',
  });
  await move('securitypolicy', policy.SecurityPolicyId);
  const policies = await server.call('ListSecurityPolicies', { 'SecurityPolicyIds.1': policy.SecurityPolicyId });
  assert.equal(policies.SecurityPolicies[0].ResourceGroupId, 'rg-2');
  assert.deepEqual([...policies.SecurityPolicies[0].Ciphers], ['ECDHE-RSA-AES128-GCM-SHA256'], 'nothing else changed');

  assert.equal((await rejection(() => move('loadbalancer', 'alb-00000000000000000000'))).data.Code, 'ResourceNotFound.LoadBalancer');
  assert.equal((await rejection(() => move('vswitch', lb.LoadBalancerId))).data.Code, 'InvalidParameter');
});
