// Tags as ALB keeps them, through the official SDK and the V1 (pop-core) client Terraform's
// provider signs like: Tag.N on creates (and Tags.N, the provider's spelling), shown on every
// Get and List, Tag filters on the Lists, TagResources / UnTagResources (by key and All),
// ListTagResources, ListTagKeys and ListTagValues; the limits and errors ALB documents; another
// account neither sees nor tags them; a deleted resource takes its tags with it.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const Alb = require('@alicloud/alb20200616');
const { Server, rejection, model, waitFor } = require('./harness');

function accountFields(output) {
  return Object.fromEntries(output.trim().split('\n').map((line) => line.split(/:\s+/)));
}

const pairs = (tags) => (tags || []).map((t) => [t.key, t.value]);

// CreateLoadBalancer answers no job in the SDK's model: wait, as Terraform does, for Active.
async function waitActive(alb, loadBalancerId) {
  await waitFor(async () => (await alb.getLoadBalancerAttribute(new Alb.GetLoadBalancerAttributeRequest({ loadBalancerId })))
    .body.loadBalancerStatus === 'Active', 10000, `${loadBalancerId} Active`);
}

async function setUp(t) {
  const server = await Server.start();
  t.after(() => server.stop());
  return { server, alb: server.alb() };
}

test('Tag.N and Tags.N on creates come back on Get and List, and the Tag filters find them', async (t) => {
  const { server, alb } = await setUp(t);
  const { body: lb } = await alb.createLoadBalancer(model('CreateLoadBalancerRequest', {
    LoadBalancerName: 'tagged', LoadBalancerEdition: 'Standard', VpcId: 'vpc-1',
    Tag: [{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'édition' }],
  }));
  await waitActive(alb, lb.loadBalancerId);
  const { body: plain } = await alb.createLoadBalancer(model('CreateLoadBalancerRequest',
    { LoadBalancerName: 'plain', LoadBalancerEdition: 'Standard', VpcId: 'vpc-1' }));
  await waitActive(alb, plain.loadBalancerId);

  const { body: got } = await alb.getLoadBalancerAttribute(new Alb.GetLoadBalancerAttributeRequest({ loadBalancerId: lb.loadBalancerId }));
  assert.deepEqual(pairs(got.tags), [['env', 'prod'], ['team', 'édition']]);
  const { body: none } = await alb.getLoadBalancerAttribute(new Alb.GetLoadBalancerAttributeRequest({ loadBalancerId: plain.loadBalancerId }));
  assert.deepEqual(none.tags, []);

  const list = async (tag) => (await alb.listLoadBalancers(model('ListLoadBalancersRequest', { Tag: tag }))).body.loadBalancers;
  assert.deepEqual((await list([{ Key: 'env', Value: 'prod' }])).map((l) => l.loadBalancerId), [lb.loadBalancerId]);
  assert.deepEqual((await list([{ Key: 'env' }])).map((l) => l.loadBalancerId), [lb.loadBalancerId], 'a key alone matches any value');
  assert.deepEqual(await list([{ Key: 'env', Value: 'dev' }]), []);
  assert.deepEqual(await list([{ Key: 'env', Value: 'prod' }, { Key: 'team', Value: 'other' }]), [], 'every tag must match');
  assert.equal((await list([])).length, 2);

  // Terraform's provider sends Tags.N (V1 signature, form POST).
  const group = await server.call('CreateServerGroup', {
    ServerGroupName: 'tf-group', ServerGroupType: 'Ip', VpcId: 'vpc-1',
    'Tags.1.Key': 'Created', 'Tags.1.Value': 'tf', 'Tags.2.Key': 'For', 'Tags.2.Value': 'test',
  });
  await server.waitJob(group.JobId);
  const listed = await server.call('ListServerGroups', { 'ServerGroupIds.1': group.ServerGroupId });
  const wire = (tags) => tags.map((x) => [x.Key, x.Value]);  // pop-core's objects have no prototype
  assert.deepEqual(wire(listed.ServerGroups[0].Tags), [['Created', 'tf'], ['For', 'test']]);
  const byTag = await server.call('ListServerGroups', { 'Tag.1.Key': 'Created', 'Tag.1.Value': 'tf' });
  assert.deepEqual(byTag.ServerGroups.map((g) => g.ServerGroupId), [group.ServerGroupId]);

  const template = await server.call('CreateHealthCheckTemplate',
    { HealthCheckTemplateName: 'tagged', 'Tag.1.Key': 'k', 'Tag.1.Value': 'v' });
  const readBack = await server.call('GetHealthCheckTemplateAttribute', { HealthCheckTemplateId: template.HealthCheckTemplateId });
  assert.deepEqual(wire(readBack.Tags), [['k', 'v']]);
});

test('TagResources, ListTagResources, ListTagKeys, ListTagValues and UnTagResources by key and All', async (t) => {
  const { server, alb } = await setUp(t);
  const { listenerId, loadBalancerId } = await server.listener({ protocol: 'HTTP', port: 80 });

  const tag = (type, ids, tags) => alb.tagResources(model('TagResourcesRequest',
    { ResourceType: type, ResourceId: ids, Tag: tags }));
  await tag('loadbalancer', [loadBalancerId], [{ Key: 'env', Value: 'prod' }, { Key: 'owner', Value: 'a' }]);
  await tag('listener', [listenerId], [{ Key: 'env', Value: 'staging' }]);
  // The same key again sets its value.
  await tag('loadbalancer', [loadBalancerId], [{ Key: 'owner', Value: 'b' }]);

  const { body: lb } = await alb.getLoadBalancerAttribute(new Alb.GetLoadBalancerAttributeRequest({ loadBalancerId }));
  assert.deepEqual(pairs(lb.tags), [['env', 'prod'], ['owner', 'b']]);
  const { body: listener } = await alb.getListenerAttribute(new Alb.GetListenerAttributeRequest({ listenerId }));
  assert.deepEqual(pairs(listener.tags), [['env', 'staging']]);

  const { body: resources } = await alb.listTagResources(model('ListTagResourcesRequest', { ResourceType: 'loadbalancer' }));
  assert.deepEqual(resources.tagResources.map((r) => [r.resourceId, r.resourceType, r.tagKey, r.tagValue]),
    [[loadBalancerId, 'loadbalancer', 'env', 'prod'], [loadBalancerId, 'loadbalancer', 'owner', 'b']]);
  const { body: filtered } = await alb.listTagResources(model('ListTagResourcesRequest',
    { ResourceType: 'listener', Tag: [{ Key: 'env', Value: 'staging' }] }));
  assert.deepEqual(filtered.tagResources.map((r) => r.resourceId), [listenerId]);

  const { body: keys } = await alb.listTagKeys(model('ListTagKeysRequest', { ResourceType: 'loadbalancer' }));
  assert.deepEqual(keys.tagKeys.map((k) => [k.tagKey, k.category]), [['env', 'Custom'], ['owner', 'Custom']]);
  const { body: keyword } = await alb.listTagKeys(model('ListTagKeysRequest', { ResourceType: 'loadbalancer', Keyword: 'own' }));
  assert.deepEqual(keyword.tagKeys.map((k) => k.tagKey), ['owner']);
  const { body: values } = await alb.listTagValues(model('ListTagValuesRequest', { ResourceType: 'loadbalancer', TagKey: 'env' }));
  assert.deepEqual(values.tagValues, ['prod']);

  await alb.unTagResources(model('UnTagResourcesRequest', { ResourceType: 'loadbalancer', ResourceId: [loadBalancerId], TagKey: ['owner'] }));
  assert.deepEqual(pairs((await alb.getLoadBalancerAttribute(new Alb.GetLoadBalancerAttributeRequest({ loadBalancerId }))).body.tags), [['env', 'prod']]);
  await alb.unTagResources(model('UnTagResourcesRequest', { ResourceType: 'listener', ResourceId: [listenerId], All: true }));
  assert.deepEqual((await alb.getListenerAttribute(new Alb.GetListenerAttributeRequest({ listenerId }))).body.tags, []);

  // A deleted listener takes its tags with it.
  await tag('listener', [listenerId], [{ Key: 'gone', Value: 'soon' }]);
  await server.waitJob((await server.call('DeleteListener', { ListenerId: listenerId })).JobId);
  const { body: after } = await alb.listTagResources(model('ListTagResourcesRequest', { ResourceType: 'listener' }));
  assert.deepEqual(after.tagResources, []);
});

test('tag errors: a missing resource, a 21st tag, reserved keys, an unknown type, another account', async (t) => {
  const { server, alb } = await setUp(t);
  const { loadBalancerId } = await server.listener({ protocol: 'HTTP', port: 80 });
  const tag = (api, type, ids, tags) => api.tagResources(model('TagResourcesRequest',
    { ResourceType: type, ResourceId: ids, Tag: tags }));

  const missing = await rejection(() => tag(alb, 'loadbalancer', ['alb-00000000000000000000'], [{ Key: 'a', Value: 'b' }]));
  assert.equal(missing.code, 'ResourceNotFound.LoadBalancer');
  assert.equal(missing.statusCode, 404);
  // All or none: the existing load balancer named first did not get the tag either.
  await rejection(() => tag(alb, 'loadbalancer', [loadBalancerId, 'alb-00000000000000000000'], [{ Key: 'half', Value: 'x' }]));
  const { body: lb } = await alb.getLoadBalancerAttribute(new Alb.GetLoadBalancerAttributeRequest({ loadBalancerId }));
  assert.deepEqual(lb.tags, []);

  const twenty = Array.from({ length: 20 }, (_, i) => ({ Key: `k${i}`, Value: `v${i}` }));
  await tag(alb, 'loadbalancer', [loadBalancerId], twenty);
  const quota = await rejection(() => tag(alb, 'loadbalancer', [loadBalancerId], [{ Key: 'k20', Value: 'one too many' }]));
  assert.equal(quota.code, 'QuotaExceeded.TagNum');
  assert.equal(quota.statusCode, 400);
  await tag(alb, 'loadbalancer', [loadBalancerId], [{ Key: 'k0', Value: 'changed' }]);  // a change is not a new tag

  for (const bad of [{ Key: 'aliyun:x', Value: 'v' }, { Key: 'acs:x', Value: 'v' }, { Key: 'x'.repeat(129), Value: 'v' },
    { Key: 'k', Value: 'see https://example.com' }]) {
    const e = await rejection(() => tag(alb, 'loadbalancer', [loadBalancerId], [bad]));
    assert.equal(e.code, 'InvalidParameter', JSON.stringify(bad));
    assert.equal(e.statusCode, 400);
  }
  const type = await rejection(() => tag(alb, 'vswitch', [loadBalancerId], [{ Key: 'a', Value: 'b' }]));
  assert.equal(type.code, 'InvalidParameter');
  const both = await rejection(() => server.call('CreateLoadBalancer', {
    LoadBalancerName: 'x', LoadBalancerEdition: 'Standard', 'Tag.1.Key': 'a', 'Tags.1.Key': 'b',
  }));
  assert.equal(both.code, 'InvalidParameter');

  const other = accountFields(server.cli('accounts', 'create', 'tenant-b'));
  const albB = server.alb({ accessKeyId: other.AccessKeyId, accessKeySecret: other.AccessKeySecret });
  const foreign = await rejection(() => tag(albB, 'loadbalancer', [loadBalancerId], [{ Key: 'a', Value: 'b' }]));
  assert.equal(foreign.code, 'ResourceNotFound.LoadBalancer');
  const { body: seen } = await albB.listTagResources(model('ListTagResourcesRequest', { ResourceType: 'loadbalancer' }));
  assert.deepEqual(seen.tagResources, []);
  const { body: keys } = await albB.listTagKeys(model('ListTagKeysRequest', { ResourceType: 'loadbalancer' }));
  assert.deepEqual(keys.tagKeys, []);
});
