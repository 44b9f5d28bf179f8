// The actions whose effect belongs to a cloud deployment — bandwidth packages, SLS access-log
// projects, IPv6 internet, security groups, zones, address type, zone shifts, capacity
// reservations — and the edition change and AScripts, through the official SDK: each is
// validated, answered as ALB answers it (a JobId or not), recorded and shown back; the
// edition can only go up; AScripts are stored with ALB's statuses and jobs.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const Alb = require('@alicloud/alb20200616');
const { Server, waitFor, rejection, model } = require('./harness');

async function setUp(t) {
  const server = await Server.start();
  t.after(() => server.stop());
  const alb = server.alb();
  const { body: lb } = await alb.createLoadBalancer(model('CreateLoadBalancerRequest', {
    LoadBalancerName: 'cloud', LoadBalancerEdition: 'Standard', VpcId: 'vpc-1', AddressType: 'Internet',
    AddressIpVersion: 'DualStack', LoadBalancerBillingConfig: { PayType: 'PostPay' },
    ZoneMappings: [{ ZoneId: 'cn-hangzhou-a', VSwitchId: 'vsw-a' }, { ZoneId: 'cn-hangzhou-b', VSwitchId: 'vsw-b' }],
  }));
  const id = lb.loadBalancerId;
  const attribute = async () => JSON.parse(JSON.stringify((await server.call('GetLoadBalancerAttribute', { LoadBalancerId: id }))));
  await waitFor(async () => (await attribute()).LoadBalancerStatus === 'Active', 10000, 'Active');
  return { server, alb, id, attribute };
}

test('cloud-only load balancer settings are validated, answered as ALB answers them, recorded and shown', async (t) => {
  const { server, alb, id, attribute } = await setUp(t);
  const failure = async (fn, code, status = 400) => {
    const e = await rejection(fn);
    assert.equal(e.code, code, e.message);
    assert.equal(e.statusCode, status);
  };
  // Jobs, as ALB answers these.
  const { body: attach } = await alb.attachCommonBandwidthPackageToLoadBalancer(model('AttachCommonBandwidthPackageToLoadBalancerRequest', {
    LoadBalancerId: id, BandwidthPackageId: 'cbwp-1', RegionId: 'cn-hangzhou' }));
  await server.waitJob(attach.jobId);
  assert.equal((await attribute()).BandwidthPackageId, 'cbwp-1');
  await failure(() => alb.attachCommonBandwidthPackageToLoadBalancer(model('AttachCommonBandwidthPackageToLoadBalancerRequest', {
    LoadBalancerId: id, BandwidthPackageId: 'cbwp-2', RegionId: 'cn-hangzhou' })), 'ResourceAlreadyAssociated.BandwidthPackage');
  await failure(() => alb.detachCommonBandwidthPackageFromLoadBalancer(model('DetachCommonBandwidthPackageFromLoadBalancerRequest', {
    LoadBalancerId: id, BandwidthPackageId: 'cbwp-2', RegionId: 'cn-hangzhou' })), 'AssociationNotFound.BandwidthPackage');
  const { body: detach } = await alb.detachCommonBandwidthPackageFromLoadBalancer(model('DetachCommonBandwidthPackageFromLoadBalancerRequest', {
    LoadBalancerId: id, BandwidthPackageId: 'cbwp-1', RegionId: 'cn-hangzhou' }));
  await server.waitJob(detach.jobId);
  assert.equal((await attribute()).BandwidthPackageId, undefined);

  const { body: log } = await alb.enableLoadBalancerAccessLog(model('EnableLoadBalancerAccessLogRequest', { LoadBalancerId: id, LogProject: 'proj', LogStore: 'store' }));
  await server.waitJob(log.jobId);
  assert.deepEqual((await attribute()).AccessLogConfig, { LogProject: 'proj', LogStore: 'store' });
  await failure(() => alb.enableLoadBalancerAccessLog(model('EnableLoadBalancerAccessLogRequest', { LoadBalancerId: id, LogProject: 'proj' })), 'MissingLogStore');
  await failure(() => alb.enableLoadBalancerAccessLog(model('EnableLoadBalancerAccessLogRequest', { LoadBalancerId: id, LogProject: 'p2', LogStore: 's2' })),
    'OperationDenied.AccessLogEnabled');
  const { body: nolog } = await alb.disableLoadBalancerAccessLog(model('DisableLoadBalancerAccessLogRequest', { LoadBalancerId: id }));
  assert.equal(nolog.jobId, undefined, 'no job, as on ALB');
  assert.equal((await attribute()).AccessLogConfig, undefined);
  await failure(() => alb.disableLoadBalancerAccessLog(model('DisableLoadBalancerAccessLogRequest', { LoadBalancerId: id })),
    'OperationDenied.AccessLogDisabled');

  assert.equal((await attribute()).Ipv6AddressType, 'Intranet');
  const { body: v6 } = await alb.enableLoadBalancerIpv6Internet(model('EnableLoadBalancerIpv6InternetRequest', { LoadBalancerId: id }));
  await server.waitJob(v6.jobId);
  assert.equal((await attribute()).Ipv6AddressType, 'Internet');

  const { body: join } = await alb.loadBalancerJoinSecurityGroup(model('LoadBalancerJoinSecurityGroupRequest', { LoadBalancerId: id, SecurityGroupIds: ['sg-1', 'sg-2'] }));
  await server.waitJob(join.jobId);
  const { body: leave } = await alb.loadBalancerLeaveSecurityGroup(model('LoadBalancerLeaveSecurityGroupRequest', { LoadBalancerId: id, SecurityGroupIds: ['sg-1'] }));
  await server.waitJob(leave.jobId);
  assert.deepEqual((await attribute()).SecurityGroupIds, ['sg-2']);
  await failure(() => alb.loadBalancerLeaveSecurityGroup(model('LoadBalancerLeaveSecurityGroupRequest', { LoadBalancerId: id, SecurityGroupIds: ['sg-9'] })),
    'AssociationNotFound.SecurityGroup');

  const { body: zones } = await alb.updateLoadBalancerZones(model('UpdateLoadBalancerZonesRequest', {
    LoadBalancerId: id, ZoneMappings: [{ ZoneId: 'cn-hangzhou-b', VSwitchId: 'vsw-b' }, { ZoneId: 'cn-hangzhou-c', VSwitchId: 'vsw-c' }] }));
  await server.waitJob(zones.jobId);
  assert.deepEqual((await attribute()).ZoneMappings.map((z) => [z.ZoneId, z.VSwitchId, z.Status]),
    [['cn-hangzhou-b', 'vsw-b', 'Active'], ['cn-hangzhou-c', 'vsw-c', 'Active']]);
  // Zone shifts: immediate, shown as the zone's Status.
  await alb.startShiftLoadBalancerZones(model('StartShiftLoadBalancerZonesRequest', { LoadBalancerId: id, ZoneMappings: [{ ZoneId: 'cn-hangzhou-c', VSwitchId: 'vsw-c' }] }));
  assert.deepEqual((await attribute()).ZoneMappings.map((z) => z.Status), ['Active', 'Shifted']);
  await failure(() => alb.startShiftLoadBalancerZones(model('StartShiftLoadBalancerZonesRequest', { LoadBalancerId: id, ZoneMappings: [{ ZoneId: 'cn-hangzhou-x', VSwitchId: 'vsw-x' }] })),
    'InvalidParameter');
  await alb.cancelShiftLoadBalancerZones(model('CancelShiftLoadBalancerZonesRequest', { LoadBalancerId: id, ZoneMappings: [{ ZoneId: 'cn-hangzhou-c', VSwitchId: 'vsw-c' }] }));
  assert.deepEqual((await attribute()).ZoneMappings.map((z) => z.Status), ['Active', 'Active']);

  // Capacity reservation: recorded, and described as reserving nothing here.
  await alb.modifyCapacityReservation(model('ModifyCapacityReservationRequest', { LoadBalancerId: id, MinimumLoadBalancerCapacity: { CapacityUnits: 100 } }));
  const { body: capacity } = await alb.describeCapacityReservation(model('DescribeCapacityReservationRequest', { LoadBalancerId: id }));
  assert.equal(capacity.minimumLoadBalancerCapacity.capacityUnits, 100);
  assert.deepEqual(capacity.capacityReservationState.map((s) => [s.availabilityZone, s.effectiveCapacityUnits]), [['cn-hangzhou-b', 0], ['cn-hangzhou-c', 0]]);
  await failure(() => alb.modifyCapacityReservation(model('ModifyCapacityReservationRequest', { LoadBalancerId: id, MinimumLoadBalancerCapacity: { CapacityUnits: 0 } })), 'InvalidParameter');
  await alb.modifyCapacityReservation(model('ModifyCapacityReservationRequest', { LoadBalancerId: id, ResetCapacityReservation: true }));
  assert.equal((await alb.describeCapacityReservation(model('DescribeCapacityReservationRequest', { LoadBalancerId: id }))).body.minimumLoadBalancerCapacity, undefined);

  // Address type: a job; an Intranet load balancer takes no bandwidth package.
  const { body: intranet } = await alb.updateLoadBalancerAddressTypeConfig(model('UpdateLoadBalancerAddressTypeConfigRequest', { LoadBalancerId: id, AddressType: 'Intranet' }));
  await server.waitJob(intranet.jobId);
  assert.equal((await attribute()).AddressType, 'Intranet');
  await failure(() => alb.attachCommonBandwidthPackageToLoadBalancer(model('AttachCommonBandwidthPackageToLoadBalancerRequest', {
    LoadBalancerId: id, BandwidthPackageId: 'cbwp-1', RegionId: 'cn-hangzhou' })), 'OperationDenied.IntranetLoadBalancer');

  // Edition: immediate, up only.
  await alb.updateLoadBalancerEdition(model('UpdateLoadBalancerEditionRequest', { LoadBalancerId: id, LoadBalancerEdition: 'StandardWithWaf' }));
  assert.equal((await attribute()).LoadBalancerEdition, 'StandardWithWaf');
  await failure(() => alb.updateLoadBalancerEdition(model('UpdateLoadBalancerEditionRequest', { LoadBalancerId: id, LoadBalancerEdition: 'Basic' })), 'OperationDenied.EditionDowngrade');
  await failure(() => alb.updateLoadBalancerEdition(model('UpdateLoadBalancerEditionRequest', { LoadBalancerId: 'alb-00000000000000000000', LoadBalancerEdition: 'Standard' })),
    'ResourceNotFound.LoadBalancer', 404);
  assert.equal((await attribute()).LoadBalancerStatus, 'Active', 'every job done, the load balancer rests');
});

test('AScripts are created, listed, changed and deleted with ALB\'s statuses and jobs, and run nowhere', async (t) => {
  const server = await Server.start({ args: ['--job-delay', '300ms'] });
  t.after(() => server.stop());
  const alb = server.alb();
  const { listenerId } = await server.listener({ protocol: 'HTTP', port: 80 });
  const { body: created } = await alb.createAScripts(model('CreateAScriptsRequest', {
    ListenerId: listenerId, AScripts: [
      { AScriptName: 'header', ScriptContent: 'add_req_header("x-a", "1")', Enabled: true, Position: 'RequestHead',
        ExtAttributeEnabled: true, ExtAttributes: [{ AttributeKey: 'EsDebug', AttributeValue: 'token' }] },
      { AScriptName: 'second', ScriptContent: 'say("hi")' },
    ] }));
  const ids = created.AScriptIds.map((s) => s.AScriptId);
  assert.equal(ids.length, 2);
  ids.forEach((id) => assert.match(id, /^as-[a-z0-9]{20}$/));
  const list = async () => (await alb.listAScripts(model('ListAScriptsRequest', { ListenerIds: [listenerId] }))).body.AScripts;
  assert.deepEqual((await list()).map((s) => [s.AScriptId, s.AScriptName, s.AScriptStatus]),
    [[ids[0], 'header', 'Creating'], [ids[1], 'second', 'Creating']]);
  await server.waitJob(created.jobId);
  const [first, second] = await list();
  assert.equal(first.AScriptStatus, 'Available');
  assert.equal(first.scriptContent, 'add_req_header("x-a", "1")');
  assert.equal(first.enabled, true);
  assert.equal(first.listenerId, listenerId);
  assert.equal(second.enabled, false, 'ALB\'s default');
  const raw = await server.call('ListAScripts', { 'AScriptIds.1': ids[0] });
  assert.deepEqual(JSON.parse(JSON.stringify(raw.AScripts[0].ExtAttributes)), [{ AttributeKey: 'EsDebug', AttributeValue: 'token' }]);
  assert.equal(raw.AScripts[0].Position, 'RequestHead');

  const bad = await rejection(() => alb.createAScripts(model('CreateAScriptsRequest', { ListenerId: listenerId, AScripts: [{ AScriptName: 'x1', ScriptContent: 'a', Position: 'Middle' }] })));
  assert.equal(bad.code, 'InvalidParameter');
  const { body: updated } = await alb.updateAScripts(model('UpdateAScriptsRequest', { AScripts: [{ AScriptId: ids[1], ScriptContent: 'say("bye")', Enabled: true }] }));
  assert.equal((await list())[1].AScriptStatus, 'Configuring');
  const busy = await rejection(() => alb.deleteAScripts(model('DeleteAScriptsRequest', { AScriptIds: [ids[1]] })));
  assert.equal(busy.code, 'IncorrectStatus.AScript');
  await server.waitJob(updated.jobId);
  assert.deepEqual([(await list())[1].scriptContent, (await list())[1].enabled], ['say("bye")', true]);
  const { body: deleted } = await alb.deleteAScripts(model('DeleteAScriptsRequest', { AScriptIds: ids }));
  await server.waitJob(deleted.jobId);
  assert.deepEqual(await list(), []);
  const missing = await rejection(() => alb.deleteAScripts(model('DeleteAScriptsRequest', { AScriptIds: [ids[0]] })));
  assert.equal(missing.code, 'ResourceNotFound.AScript');
  assert.equal(missing.statusCode, 404);
});
