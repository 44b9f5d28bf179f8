// alicloud_alb_ascript and alicloud_alb_load_balancer_common_bandwidth_package_attachment,
// replayed as the Terraform provider calls them: create, its wait, its update path, two reads
// that agree with each other and with what was sent, and the destroy with its wait.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Server, waitFor } = require('./harness');

test('alicloud_alb_ascript applies, reads back as sent, updates and destroys', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const { listenerId, loadBalancerId } = await server.listener({ protocol: 'HTTP', port: 80 });
  const created = await server.call('CreateAScripts', {
    'AScripts.1.AScriptName': 'tf-script', 'AScripts.1.ScriptContent': 'if true { add_req_header("x", "1") }',
    'AScripts.1.Enabled': 'true', 'AScripts.1.Position': 'RequestFoot',
    'AScripts.1.ExtAttributes.1.AttributeKey': 'EsDebug', 'AScripts.1.ExtAttributes.1.AttributeValue': 'tf',
    'AScripts.1.ExtAttributeEnabled': 'true', ListenerId: listenerId, ClientToken: 'tf-as-1',
  });
  const id = created.AScriptIds[0].AScriptId;
  const describe = async () => {
    const found = (await server.call('ListAScripts', { 'AScriptIds.1': id })).AScripts;
    return found.length ? JSON.parse(JSON.stringify(found[0])) : null;
  };
  const waitAvailable = () => waitFor(async () => (await describe())?.AScriptStatus === 'Available', 10000, 'Available');
  await waitAvailable();
  // The update a new resource goes through sends every field it set.
  await server.call('UpdateAScripts', {
    'AScripts.1.AScriptId': id, 'AScripts.1.AScriptName': 'tf-script', 'AScripts.1.Enabled': 'true',
    'AScripts.1.ExtAttributeEnabled': 'true', 'AScripts.1.ExtAttributes.1.AttributeKey': 'EsDebug',
    'AScripts.1.ExtAttributes.1.AttributeValue': 'tf', 'AScripts.1.ScriptContent': 'if true { add_req_header("x", "1") }',
  });
  await waitAvailable();
  const first = await describe();
  assert.deepEqual([first.AScriptName, first.Enabled, first.ExtAttributeEnabled, first.Position, first.ScriptContent],
    ['tf-script', true, true, 'RequestFoot', 'if true { add_req_header("x", "1") }']);
  assert.deepEqual(first.ExtAttributes, [{ AttributeKey: 'EsDebug', AttributeValue: 'tf' }]);
  assert.deepEqual([first.ListenerId, first.LoadBalancerId], [listenerId, loadBalancerId]);
  assert.deepEqual(await describe(), first, 'a second read is the same: an empty plan');

  await server.call('UpdateAScripts', { 'AScripts.1.AScriptId': id, 'AScripts.1.Enabled': 'false' });
  await waitAvailable();
  assert.equal((await describe()).Enabled, false);
  await server.call('DeleteAScripts', { 'AScriptIds.1': id, ClientToken: 'tf-as-del' });
  await waitFor(async () => (await describe()) === null, 10000, 'the script to be gone');
});

test('alicloud_alb_load_balancer_common_bandwidth_package_attachment applies, reads back and destroys', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const { LoadBalancerId: lb, JobId } = await server.call('CreateLoadBalancer', {
    LoadBalancerName: 'tf-lb', LoadBalancerEdition: 'Standard', AddressType: 'Internet', VpcId: 'vpc-1' });
  await server.waitJob(JobId);
  const describe = () => server.call('GetLoadBalancerAttribute', { LoadBalancerId: lb });
  await server.call('AttachCommonBandwidthPackageToLoadBalancer', {
    RegionId: 'cn-hangzhou', BandwidthPackageId: 'cbwp-tf', LoadBalancerId: lb, ClientToken: 'tf-bw-1' });
  await waitFor(async () => (await describe()).LoadBalancerStatus === 'Active', 10000, 'Active');
  const read = async () => {
    const object = await describe();
    return [object.LoadBalancerStatus, object.BandwidthPackageId];
  };
  assert.deepEqual(await read(), ['Active', 'cbwp-tf']);
  assert.deepEqual(await read(), ['Active', 'cbwp-tf']);
  await server.call('DetachCommonBandwidthPackageFromLoadBalancer', {
    LoadBalancerId: lb, BandwidthPackageId: 'cbwp-tf', RegionId: 'cn-hangzhou', ClientToken: 'tf-bw-2' });
  await waitFor(async () => (await describe()).LoadBalancerStatus === 'Active', 10000, 'Active');
  assert.deepEqual(await read(), ['Active', undefined]);
});

test('the provider\'s security group, zone shift and access log attachments apply, read back and destroy', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const { LoadBalancerId: lb, JobId } = await server.call('CreateLoadBalancer', {
    LoadBalancerName: 'tf-lb', LoadBalancerEdition: 'Standard', AddressType: 'Internet', VpcId: 'vpc-1',
    'ZoneMappings.1.ZoneId': 'cn-hangzhou-a', 'ZoneMappings.1.VSwitchId': 'vsw-a',
    'ZoneMappings.2.ZoneId': 'cn-hangzhou-b', 'ZoneMappings.2.VSwitchId': 'vsw-b' });
  await server.waitJob(JobId);
  const describe = () => server.call('GetLoadBalancerAttribute', { LoadBalancerId: lb });
  // alicloud_alb_load_balancer_security_group_attachment: waits on the job itself.
  const joined = await server.call('LoadBalancerJoinSecurityGroup', { 'SecurityGroupIds.1': 'sg-tf', LoadBalancerId: lb, ClientToken: 'tf-sg-1' });
  await waitFor(async () => (await server.call('ListAsynJobs', { 'JobIds.1': joined.JobId })).Jobs.map((j) => j.Status).join() === 'Succeeded', 10000, 'the job');
  assert.ok((await describe()).SecurityGroupIds.includes('sg-tf'));
  const left = await server.call('LoadBalancerLeaveSecurityGroup', { 'SecurityGroupIds.1': 'sg-tf', LoadBalancerId: lb, ClientToken: 'tf-sg-2' });
  await server.waitJob(left.JobId);
  assert.deepEqual(JSON.parse(JSON.stringify((await describe()).SecurityGroupIds)), []);

  // alicloud_alb_load_balancer_zone_shifted_attachment: id "<lb>:<vswitch>:<zone>", no wait.
  await server.call('StartShiftLoadBalancerZones', { LoadBalancerId: lb, 'ZoneMappings.1.ZoneId': 'cn-hangzhou-b', 'ZoneMappings.1.VSwitchId': 'vsw-b', ClientToken: 'tf-zs-1' });
  const zone = async () => JSON.parse(JSON.stringify((await describe()).ZoneMappings.find((z) => z.ZoneId === 'cn-hangzhou-b')));
  assert.deepEqual([(await zone()).Status, (await zone()).VSwitchId], ['Shifted', 'vsw-b']);
  await server.call('CancelShiftLoadBalancerZones', { LoadBalancerId: lb, 'ZoneMappings.1.VSwitchId': 'vsw-b', 'ZoneMappings.1.ZoneId': 'cn-hangzhou-b', ClientToken: 'tf-zs-2' });
  assert.equal((await zone()).Status, 'Active');

  // alicloud_alb_load_balancer_access_log_config_attachment: waits on the job, reads
  // AccessLogConfig and CreateTime, and disables without a wait.
  const enabled = await server.call('EnableLoadBalancerAccessLog', {
    LoadBalancerId: lb, RegionId: 'cn-hangzhou', ClientToken: 'tf-log-1', LogProject: 'tf-project', LogStore: 'tf-store' });
  await waitFor(async () => (await server.call('ListAsynJobs', { 'JobIds.1': enabled.JobId })).Jobs.map((j) => j.Status).join() === 'Succeeded', 10000, 'the job');
  const logRead = async () => {
    const object = await describe();
    return JSON.parse(JSON.stringify({ created: object.CreateTime, config: object.AccessLogConfig }));
  };
  const logged = await logRead();
  assert.deepEqual(logged.config, { LogProject: 'tf-project', LogStore: 'tf-store' });
  assert.match(logged.created, /^\d{4}-\d\d-\d\dT/);
  assert.deepEqual(await logRead(), logged);
  await server.call('DisableLoadBalancerAccessLog', { LoadBalancerId: lb, RegionId: 'cn-hangzhou', ClientToken: 'tf-log-2' });
  assert.equal((await describe()).AccessLogConfig, undefined);
});
