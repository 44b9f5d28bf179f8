// alicloud_alb_rule and alicloud_alb_health_check_template, replayed as the Terraform provider
// calls them (V1 signature, form POST, nested objects flattened): create, the provider's wait,
// two reads that agree with each other and with what was sent — a rule is found through
// ListRules without an id filter, 50 a page — an update, and the destroy.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { Server, waitFor, rejection } = require('./harness');

test('alicloud_alb_rule applies, is found by the unfiltered list, reads back as sent, updates and destroys', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const { listenerId, serverGroupId } = await server.listener({ protocol: 'HTTP', port: 80, backendPort: 9 });
  const created = await server.call('CreateRule', {
    ClientToken: 'tf-rule-1', ListenerId: listenerId, RuleName: 'tf-rule', Priority: 7, Direction: 'Request',
    'RuleActions.1.Order': 1, 'RuleActions.1.Type': 'ForwardGroup',
    'RuleActions.1.ForwardGroupConfig.ServerGroupTuples.1.ServerGroupId': serverGroupId,
    'RuleActions.1.ForwardGroupConfig.ServerGroupTuples.1.Weight': 100,
    'RuleActions.1.ForwardGroupConfig.ServerGroupStickySession.Enabled': 'false',
    'RuleActions.1.ForwardGroupConfig.ServerGroupStickySession.Timeout': 1000,
    'RuleConditions.1.Type': 'Host', 'RuleConditions.1.HostConfig.Values.1': 'www.example.com',
  });
  const id = created.RuleId;
  // DescribeAlbRule: ListRules with Direction only, 50 a page, following NextToken.
  const describe = async () => {
    let token;
    do {
      const page = await server.call('ListRules', { MaxResults: 50, Direction: 'Request', ...(token ? { NextToken: token } : {}) });
      const rule = page.Rules.find((r) => r.RuleId === id);
      if (rule) return JSON.parse(JSON.stringify(rule));
      token = page.NextToken;
    } while (token);
    return null;
  };
  await waitFor(async () => (await describe())?.RuleStatus === 'Available', 10000, 'the rule to be Available');
  const first = await describe();
  assert.deepEqual([first.ListenerId, first.RuleName, first.Direction, first.Priority], [listenerId, 'tf-rule', 'Request', 7]);
  assert.deepEqual(first.RuleActions.map((a) => [a.Order, a.Type]), [[1, 'ForwardGroup']]);
  assert.deepEqual(first.RuleActions[0].ForwardGroupConfig.ServerGroupTuples, [{ ServerGroupId: serverGroupId, Weight: 100 }]);
  assert.equal(first.RuleActions[0].ForwardGroupConfig.ServerGroupStickySession.Enabled, false);
  assert.deepEqual(first.RuleConditions, [{ Type: 'Host', HostConfig: { Values: ['www.example.com'] } }]);
  assert.deepEqual(await describe(), first, 'a second read is the same: an empty plan');

  const update = await server.call('UpdateRuleAttribute', {
    ClientToken: 'tf-rule-2', RuleId: id, RuleName: 'tf-rule-2', Priority: 9,
    'RuleConditions.1.Type': 'Path', 'RuleConditions.1.PathConfig.Values.1': '/api/*',
  });
  await server.waitJob(update.JobId);
  const updated = await describe();
  assert.deepEqual([updated.RuleName, updated.Priority, updated.RuleConditions[0].PathConfig.Values], ['tf-rule-2', 9, ['/api/*']]);

  // Delete: no wait in the provider; the rule is gone once its job is done, and a second
  // delete is ResourceNotFound.Rule, which the provider takes as done.
  const deleted = await server.call('DeleteRule', { ClientToken: 'tf-rule-3', RuleId: id });
  await server.waitJob(deleted.JobId);
  assert.equal(await describe(), null);
  assert.equal((await rejection(() => server.call('DeleteRule', { RuleId: id }))).data.Code, 'ResourceNotFound.Rule');
});

test('alicloud_alb_health_check_template applies, reads back as sent, updates and destroys', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const created = await server.call('CreateHealthCheckTemplate', {
    ClientToken: 'tf-hct-1', HealthCheckTemplateName: 'tf-template', 'HealthCheckCodes.1': 'http_2xx', 'HealthCheckCodes.2': 'http_3xx',
    HealthCheckConnectPort: 8080, HealthCheckHost: 'health.example.com', HealthCheckHttpVersion: 'HTTP1.1',
    HealthCheckInterval: 5, HealthCheckMethod: 'HEAD', HealthCheckPath: '/healthz', HealthCheckProtocol: 'HTTP',
    HealthCheckTimeout: 4, HealthyThreshold: 4, UnhealthyThreshold: 5,
  });
  const id = created.HealthCheckTemplateId;
  const read = async () => {
    const body = JSON.parse(JSON.stringify(await server.call('GetHealthCheckTemplateAttribute', { HealthCheckTemplateId: id })));
    delete body.RequestId;
    return body;
  };
  const first = await read();
  assert.deepEqual(first.HealthCheckCodes, ['http_2xx', 'http_3xx']);
  assert.deepEqual([first.HealthCheckConnectPort, first.HealthCheckHost, first.HealthCheckHttpVersion, first.HealthCheckInterval],
    [8080, 'health.example.com', 'HTTP1.1', 5]);
  assert.deepEqual([first.HealthCheckMethod, first.HealthCheckPath, first.HealthCheckProtocol, first.HealthCheckTemplateName],
    ['HEAD', '/healthz', 'HTTP', 'tf-template']);
  assert.deepEqual([first.HealthCheckTimeout, first.HealthyThreshold, first.UnhealthyThreshold], [4, 4, 5]);
  assert.deepEqual(await read(), first, 'a second read is the same: an empty plan');

  // The provider sends only what changed.
  await server.call('UpdateHealthCheckTemplateAttribute', {
    ClientToken: 'tf-hct-2', HealthCheckTemplateId: id, HealthCheckInterval: 10, HealthCheckTemplateName: 'tf-template-2' });
  const updated = await read();
  assert.deepEqual([updated.HealthCheckInterval, updated.HealthCheckTemplateName, updated.HealthCheckPath], [10, 'tf-template-2', '/healthz']);

  await server.call('DeleteHealthCheckTemplates', { ClientToken: 'tf-hct-3', 'HealthCheckTemplateIds.1': id });
  assert.equal((await rejection(read)).data.Code, 'ResourceNotFound.HealthCheckTemplate');
});
