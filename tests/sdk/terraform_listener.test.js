// alicloud_alb_listener's calls, replayed as the Terraform provider makes them (V1 signature,
// form POST, nested objects flattened): CreateListener with every field it sends, the wait for
// Running, its update path (TagResources, UpdateListenerLogConfig, UpdateListenerAttribute),
// two reads that agree with each other and with what was sent (LogConfig must be there: the
// provider reads it without checking), an update, and the destroy.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Server, waitFor, rejection } = require('./harness');

test('alicloud_alb_listener applies, reads back as sent, updates and destroys', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const { LoadBalancerId: lb, JobId: lbJob } = await server.call('CreateLoadBalancer', { LoadBalancerName: 'tf-lb', LoadBalancerEdition: 'Standard' });
  await server.waitJob(lbJob);
  const group = await server.call('CreateServerGroup', { ServerGroupName: 'tf-group', ServerGroupType: 'Ip', VpcId: 'vpc-1', Protocol: 'HTTP' });
  await server.waitJob(group.JobId);
  const certificateId = await server.uploadCertificate('tf-listener.test');
  const xff = {
    XForwardedForClientCertIssuerDNAlias: '', XForwardedForClientCertIssuerDNEnabled: 'false',
    XForwardedForClientCertClientVerifyAlias: '', XForwardedForClientCertClientVerifyEnabled: 'false',
    XForwardedForClientCertFingerprintAlias: '', XForwardedForClientCertFingerprintEnabled: 'false',
    XForwardedForClientCertSubjectDNAlias: '', XForwardedForClientCertSubjectDNEnabled: 'false',
    XForwardedForClientSourceIpsEnabled: 'false', XForwardedForClientSourceIpsTrusted: '',
    XForwardedForClientSrcPortEnabled: 'true', XForwardedForEnabled: 'true', XForwardedForProtoEnabled: 'true',
    XForwardedForSLBIdEnabled: 'true', XForwardedForSLBPortEnabled: 'false',
  };
  const flat = (prefix, object) => Object.fromEntries(Object.entries(object).map(([k, v]) => [`${prefix}.${k}`, v]));
  const actions = {
    'DefaultActions.1.Type': 'ForwardGroup',
    'DefaultActions.1.ForwardGroupConfig.ServerGroupTuples.1.ServerGroupId': group.ServerGroupId,
  };
  const created = await server.call('CreateListener', {
    'Certificates.1.CertificateId': certificateId, ...actions,
    GzipEnabled: 'true', Http2Enabled: 'true', IdleTimeout: '15', ListenerDescription: 'tf-listener',
    ListenerPort: '443', ListenerProtocol: 'HTTPS', LoadBalancerId: lb, RequestTimeout: '60',
    SecurityPolicyId: 'tls_cipher_policy_1_2', ...flat('XForwardedForConfig', xff), ClientToken: 'tf-listener-1',
  });
  const id = created.ListenerId;
  const describe = () => server.call('GetListenerAttribute', { ListenerId: id });
  const waitRunning = () => waitFor(async () => (await describe()).ListenerStatus === 'Running', 10000, 'Running');
  await waitRunning();

  // The update path a new listener goes through.
  await server.call('TagResources', { ResourceType: 'listener', 'ResourceId.1': id, 'Tag.1.Key': 'Created', 'Tag.1.Value': 'tf' });
  await server.call('UpdateListenerLogConfig', {
    ListenerId: id, AccessLogRecordCustomizedHeadersEnabled: 'true',
    'AccessLogTracingConfig.TracingEnabled': 'true', 'AccessLogTracingConfig.TracingSample': '100',
    'AccessLogTracingConfig.TracingType': 'Zipkin', ClientToken: 'tf-log-1',
  });
  await waitRunning();
  await server.call('UpdateListenerAttribute', {
    ListenerId: id, 'Certificates.1.CertificateId': certificateId, ...actions,
    ListenerDescription: 'tf-listener', SecurityPolicyId: 'tls_cipher_policy_1_2', ClientToken: 'tf-update-1',
  });
  await waitRunning();

  const read = async () => {
    const attribute = JSON.parse(JSON.stringify(await describe()));
    delete attribute.RequestId;
    const tags = await server.call('ListTagResources', { ResourceType: 'listener', 'ResourceId.1': id });
    return { attribute, tags: tags.TagResources.map((x) => [x.TagKey, x.TagValue]) };
  };
  const first = await read();
  const a = first.attribute;
  assert.deepEqual([a.ListenerProtocol, a.ListenerPort, a.LoadBalancerId, a.ListenerStatus, a.ListenerDescription],
    ['HTTPS', 443, lb, 'Running', 'tf-listener']);
  assert.deepEqual([a.GzipEnabled, a.Http2Enabled, a.IdleTimeout, a.RequestTimeout, a.SecurityPolicyId],
    [true, true, 15, 60, 'tls_cipher_policy_1_2']);
  assert.deepEqual(a.Certificates, [{ CertificateId: certificateId }]);
  assert.equal(a.DefaultActions[0].Type, 'ForwardGroup');
  assert.deepEqual(a.DefaultActions[0].ForwardGroupConfig.ServerGroupTuples, [{ ServerGroupId: group.ServerGroupId }]);
  assert.deepEqual(a.LogConfig, {
    AccessLogRecordCustomizedHeadersEnabled: true,
    AccessLogTracingConfig: { TracingEnabled: true, TracingSample: 100, TracingType: 'Zipkin' },
  });
  assert.deepEqual(a.AclConfig, { AclRelations: [] });
  assert.equal(a.QuicConfig.QuicUpgradeEnabled, false);
  for (const flag of ['XForwardedForEnabled', 'XForwardedForProtoEnabled', 'XForwardedForClientSrcPortEnabled', 'XForwardedForSLBIdEnabled']) {
    assert.equal(a.XForwardedForConfig[flag], true, flag);
  }
  assert.equal(a.XForwardedForConfig.XForwardedForSLBPortEnabled, false);
  assert.deepEqual(first.tags, [['Created', 'tf']]);
  assert.deepEqual(await read(), first, 'a second read is the same: an empty plan');

  // An update of two fields; the rest stays as it was.
  await server.call('UpdateListenerAttribute', { ListenerId: id, IdleTimeout: '30', GzipEnabled: 'false', ...actions, ClientToken: 'tf-update-2' });
  await waitRunning();
  const updated = (await read()).attribute;
  assert.deepEqual([updated.IdleTimeout, updated.GzipEnabled, updated.RequestTimeout, updated.LogConfig.AccessLogRecordCustomizedHeadersEnabled],
    [30, false, 60, true]);
  // A bad log config is refused with ALB's code, and nothing changes.
  const bad = await rejection(() => server.call('UpdateListenerLogConfig', { ListenerId: id, 'AccessLogTracingConfig.TracingType': 'Jaeger' }));
  assert.equal(bad.data.Code, 'InvalidParameter');

  // Destroy: DeleteListener, its job, then absent.
  const deleted = await server.call('DeleteListener', { ListenerId: id, ClientToken: 'tf-delete-1' });
  await server.waitJob(deleted.JobId);
  assert.equal((await rejection(describe)).data.Code, 'ResourceNotFound.Listener');
});
