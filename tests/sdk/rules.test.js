// Forwarding rules as a user meets them through the official V3 SDK: rules of every condition
// and action type created with the SDK's own request models, then real HTTP requests through
// the listener showing each one route, redirect, answer, rewrite, insert and remove headers,
// limit and answer CORS preflights — priorities overlapping, the default action as fallback —
// and rules created, updated and deleted under keep-alive load without one failed request.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const Alb = require('@alicloud/alb20200616');
const { Server, waitFor, rejection, model } = require('./harness');

// A real HTTP server that answers with its name and remembers what it was sent.
async function startBackend(name) {
  const seen = [];
  const server = http.createServer((req, res) => {
    seen.push({ method: req.method, url: req.url, headers: req.headers });
    res.setHeader('X-Backend', name);
    res.end(`${name} ${req.method} ${req.url}`);
  });
  server.keepAliveTimeout = 60000;
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { name, seen, port: server.address().port, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) };
}

function request(port, { host = 'www.test', path = '/', method = 'GET', headers = {}, agent } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, agent, headers: { Host: host, ...headers } }, (res) => {
      let body = '';
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function setUp(t) {
  const server = await Server.start();
  const backends = { a: await startBackend('a'), b: await startBackend('b'), c: await startBackend('c') };
  t.after(async () => {
    await server.stop();
    for (const b of Object.values(backends)) await b.close();
  });
  const alb = server.alb();
  const { listenerId, loadBalancerId, port, serverGroupId: groupA } =
    await server.listener({ protocol: 'HTTP', port: 80, backendPort: backends.a.port });
  const group = async (backend) => {
    const created = await server.call('CreateServerGroup',
      { ServerGroupName: `group-${backend.name}`, ServerGroupType: 'Ip', VpcId: 'vpc-1', Protocol: 'HTTP' });
    await server.waitJob(created.JobId);
    await server.waitJob((await server.call('AddServersToServerGroup', {
      ServerGroupId: created.ServerGroupId, 'Servers.1.ServerId': '127.0.0.1', 'Servers.1.ServerIp': '127.0.0.1',
      'Servers.1.ServerType': 'Ip', 'Servers.1.Port': backend.port,
    })).JobId);
    return created.ServerGroupId;
  };
  const groups = { a: groupA, b: await group(backends.b), c: await group(backends.c) };
  const createRule = async (name, priority, conditions, actions, direction) => {
    const { body } = await alb.createRule(new Alb.CreateRuleRequest({
      listenerId, ruleName: name, priority, direction,
      ruleConditions: conditions.map((c) => model('CreateRuleRequestRuleConditions', c)),
      ruleActions: actions.map((a) => model('CreateRuleRequestRuleActions', a)),
    }));
    assert.match(body.ruleId, /^rule-[a-z0-9]{20}$/);
    await server.waitJob(body.jobId);
    return body.ruleId;
  };
  return { server, alb, backends, groups, listenerId, loadBalancerId, port, createRule };
}

const forward = (groupId, order = 1) => ({ Type: 'ForwardGroup', Order: order, ForwardGroupConfig: { ServerGroupTuples: [{ ServerGroupId: groupId }] } });

test('rules of every condition and action type route real requests, by priority, with the default action as fallback', async (t) => {
  const { alb, backends, groups, listenerId, loadBalancerId, port, createRule } = await setUp(t);

  const ids = {};
  ids.api = await createRule('api', 10,
    [{ Type: 'Host', HostConfig: { Values: ['API.example.com'] } }, { Type: 'Path', PathConfig: { Values: ['/v1/*', '/v2/?'] } }],
    [{ Type: 'Rewrite', Order: 1, RewriteConfig: { Path: '/internal${path}', Query: 'from=rule&${query}' } },
      { Type: 'InsertHeader', Order: 2, InsertHeaderConfig: { Key: 'X-Team', Value: 'blue', ValueType: 'UserDefined' } },
      { Type: 'InsertHeader', Order: 3, InsertHeaderConfig: { Key: 'X-Client', Value: 'ClientSrcIp', ValueType: 'SystemDefined' } },
      { Type: 'RemoveHeader', Order: 4, RemoveHeaderConfig: { Key: 'X-Drop' } },
      forward(groups.b, 5)]);
  ids.wildcard = await createRule('wildcard', 20, [{ Type: 'Host', HostConfig: { Values: ['*.example.com'] } }], [forward(groups.c)]);
  ids.redirect = await createRule('redirect', 5, [{ Type: 'Path', PathConfig: { Values: ['/old'] } }],
    [{ Type: 'Redirect', Order: 1, RedirectConfig: { Protocol: 'HTTPS', Host: 'new.example.com', Port: '443', HttpCode: '308' } }]);
  ids.header = await createRule('header', 30, [{ Type: 'Header', HeaderConfig: { Key: 'X-Fixed', Values: ['yes', 'sure'] } }],
    [{ Type: 'FixedResponse', Order: 1, FixedResponseConfig: { HttpCode: '418', ContentType: 'application/json', Content: '{"teapot":true}' } }]);
  ids.query = await createRule('query', 40,
    [{ Type: 'QueryString', QueryStringConfig: { Values: [{ Key: 'debug', Value: '1' }] } }, { Type: 'Method', MethodConfig: { Values: ['GET'] } }],
    [{ Type: 'FixedResponse', Order: 1, FixedResponseConfig: { HttpCode: '200', Content: 'debug' } }]);
  ids.cookie = await createRule('cookie', 50, [{ Type: 'Cookie', CookieConfig: { Values: [{ Key: 'beta', Value: 'on' }] } }], [forward(groups.c)]);
  ids.elsewhere = await createRule('elsewhere', 60, [{ Type: 'SourceIp', SourceIpConfig: { Values: ['10.0.0.0/8', '2001:db8::/32'] } }],
    [{ Type: 'FixedResponse', Order: 1, FixedResponseConfig: { HttpCode: '403', Content: 'not you' } }]);
  ids.local = await createRule('local', 61,
    [{ Type: 'SourceIp', SourceIpConfig: { Values: ['127.0.0.0/8'] } }, { Type: 'Path', PathConfig: { Values: ['/src'] } }],
    [{ Type: 'FixedResponse', Order: 1, FixedResponseConfig: { HttpCode: '200', Content: 'local' } }]);
  ids.limited = await createRule('limited', 70, [{ Type: 'Path', PathConfig: { Values: ['/limited'] } }],
    [{ Type: 'TrafficLimit', Order: 1, TrafficLimitConfig: { QPS: 2 } }, forward(groups.a, 2)]);
  ids.cors = await createRule('cors', 80, [{ Type: 'Path', PathConfig: { Values: ['/cors*'] } }],
    [{ Type: 'Cors', Order: 1, CorsConfig: { AllowOrigin: ['https://app.example.com'], AllowMethods: ['GET', 'PUT'], AllowHeaders: ['X-Token'], MaxAge: 600, AllowCredentials: 'on' } },
      forward(groups.a, 2)]);
  ids.response = await createRule('response', 1,
    [{ Type: 'ResponseStatusCode', ResponseStatusCodeConfig: { Values: ['200'] } }, { Type: 'ResponseHeader', ResponseHeaderConfig: { Key: 'X-Backend', Values: ['b'] } }],
    [{ Type: 'InsertHeader', Order: 1, InsertHeaderConfig: { Key: 'X-Seen-By', Value: 'openalb', ValueType: 'UserDefined' } }], 'Response');

  // ListRules, with no id filter as the Terraform provider calls it, shows each as sent.
  const { body: listed } = await alb.listRules(new Alb.ListRulesRequest({ listenerIds: [listenerId], maxResults: 50 }));
  assert.equal(listed.rules.length, Object.keys(ids).length);
  const api = listed.rules.find((r) => r.ruleId === ids.api);
  assert.equal(api.ruleStatus, 'Available');
  assert.equal(api.loadBalancerId, loadBalancerId);
  assert.equal(api.priority, 10);
  assert.deepEqual(api.ruleConditions[0].hostConfig.values, ['api.example.com']);
  assert.deepEqual(api.ruleConditions[1].pathConfig.values, ['/v1/*', '/v2/?']);
  assert.deepEqual(api.ruleActions.map((a) => a.type), ['Rewrite', 'InsertHeader', 'InsertHeader', 'RemoveHeader', 'ForwardGroup']);
  assert.equal(api.ruleActions[4].forwardGroupConfig.serverGroupTuples[0].serverGroupId, groups.b);
  // A group a rule forwards to names the rule's load balancer as related.
  const { body: groupB } = await alb.listServerGroups(new Alb.ListServerGroupsRequest({ serverGroupIds: [groups.b] }));
  assert.deepEqual(groupB.serverGroups[0].relatedLoadBalancerIds, [loadBalancerId]);
  const { body: responseRules } = await alb.listRules(new Alb.ListRulesRequest({ direction: 'Response' }));
  assert.deepEqual(responseRules.rules.map((r) => r.ruleId), [ids.response]);

  // Host (case-insensitive) + Path, with the request rewritten and re-headered.
  let r = await request(port, { host: 'Api.Example.com:80', path: '/v1/users?id=7', headers: { 'X-Drop': 'secret' } });
  assert.equal(r.status, 200);
  assert.equal(r.headers['x-backend'], 'b');
  const seen = backends.b.seen.at(-1);
  assert.equal(seen.url, '/internal/v1/users?from=rule&id=7');
  assert.equal(seen.headers['x-team'], 'blue');
  assert.equal(seen.headers['x-client'], '127.0.0.1');
  assert.equal(seen.headers['x-drop'], undefined);
  assert.equal(r.headers['x-seen-by'], 'openalb', 'the response rule ran on b\'s 200');
  assert.equal((await request(port, { host: 'api.example.com', path: '/v2/x' })).headers['x-backend'], 'b');
  // The same host on another path falls to the next rule: the wildcard host.
  r = await request(port, { host: 'api.example.com', path: '/v3/x' });
  assert.equal(r.headers['x-backend'], 'c');
  assert.equal(r.headers['x-seen-by'], undefined, 'the response rule wants X-Backend b');
  assert.equal((await request(port, { host: 'shop.example.com' })).headers['x-backend'], 'c');
  // One label only is not how ALB's '*' works: it matches any run, so a.b.example.com too.
  assert.equal((await request(port, { host: 'a.b.example.com' })).headers['x-backend'], 'c');
  // No rule matches: the listener's default action.
  assert.equal((await request(port, { host: 'example.org' })).headers['x-backend'], 'a');

  // Redirect (priority 5 beats the wildcard host's 20).
  r = await request(port, { host: 'shop.example.com', path: '/old?x=1' });
  assert.equal(r.status, 308);
  assert.equal(r.headers.location, 'https://new.example.com/old?x=1');

  // Header → FixedResponse; QueryString + Method → FixedResponse; Method alone does not.
  r = await request(port, { headers: { 'X-Fixed': 'SURE' } });
  assert.equal(r.status, 418);
  assert.equal(r.headers['content-type'], 'application/json');
  assert.equal(r.body, '{"teapot":true}');
  assert.equal((await request(port, { path: '/x?debug=1' })).body, 'debug');
  assert.equal((await request(port, { path: '/x?debug=1', method: 'POST' })).headers['x-backend'], 'a');
  // Cookie.
  assert.equal((await request(port, { headers: { Cookie: 'a=b; beta=on' } })).headers['x-backend'], 'c');
  // SourceIp.
  assert.equal((await request(port, { path: '/src' })).body, 'local');

  // TrafficLimit: 2 per second; a burst beyond gets 503.
  const burst = await Promise.all(Array.from({ length: 8 }, () => request(port, { path: '/limited' })));
  assert.ok(burst.some((x) => x.status === 503), JSON.stringify(burst.map((x) => x.status)));
  assert.ok(burst.some((x) => x.status === 200));

  // CORS: the preflight answered at the listener; the real request carries the origin.
  r = await request(port, { path: '/cors', method: 'OPTIONS', headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'PUT' } });
  assert.equal(r.status, 204);
  assert.equal(r.headers['access-control-allow-origin'], 'https://app.example.com');
  assert.equal(r.headers['access-control-allow-methods'], 'GET, PUT');
  assert.equal(r.headers['access-control-allow-headers'], 'X-Token');
  assert.equal(r.headers['access-control-max-age'], '600');
  assert.equal(r.headers['access-control-allow-credentials'], 'true');
  const before = backends.a.seen.length;
  r = await request(port, { path: '/cors', method: 'OPTIONS', headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'PUT' } });
  assert.equal(r.status, 403);
  assert.equal(backends.a.seen.length, before, 'no preflight reached a server');
  r = await request(port, { path: '/cors', headers: { Origin: 'https://app.example.com' } });
  assert.equal(r.headers['x-backend'], 'a');
  assert.equal(r.headers['access-control-allow-origin'], 'https://app.example.com');

  // Updated live: the wildcard now covers other.example.net only.
  const { body: updated } = await alb.updateRuleAttribute(new Alb.UpdateRuleAttributeRequest({
    ruleId: ids.wildcard, ruleConditions: [model('UpdateRuleAttributeRequestRuleConditions', { Type: 'Host', HostConfig: { Values: ['*.example.net'] } })],
  }));
  await waitFor(async () => (await alb.listRules(new Alb.ListRulesRequest({ ruleIds: [ids.wildcard] }))).body.rules[0].ruleStatus === 'Available', 10000, 'the update');
  assert.equal((await request(port, { host: 'shop.example.com' })).headers['x-backend'], 'a');
  assert.equal((await request(port, { host: 'x.example.net' })).headers['x-backend'], 'c');
  assert.ok(updated.jobId);

  // Deleted: its requests fall back to the default.
  const { body: deleted } = await alb.deleteRule(new Alb.DeleteRuleRequest({ ruleId: ids.cookie }));
  await waitFor(async () => (await alb.listRules(new Alb.ListRulesRequest({ ruleIds: [ids.cookie] }))).body.rules.length === 0, 10000, 'the deletion');
  assert.equal((await request(port, { headers: { Cookie: 'beta=on' } })).headers['x-backend'], 'a');
  assert.ok(deleted.jobId);
});

test('rules are validated as ALB documents them, with its error codes', async (t) => {
  const { alb, server, groups, listenerId, createRule } = await setUp(t);
  await createRule('first', 100, [{ Type: 'Path', PathConfig: { Values: ['/a'] } }], [forward(groups.b)]);
  const create = (priority, conditions, actions) => alb.createRule(new Alb.CreateRuleRequest({
    listenerId, ruleName: 'bad', priority,
    ruleConditions: conditions.map((c) => model('CreateRuleRequestRuleConditions', c)),
    ruleActions: actions.map((a) => model('CreateRuleRequestRuleActions', a)),
  }));
  const path = [{ Type: 'Path', PathConfig: { Values: ['/b'] } }];
  let e = await rejection(() => create(100, path, [forward(groups.b)]));
  assert.equal(e.code, 'Conflict.Priority');
  e = await rejection(() => create(101, path, [{ Type: 'InsertHeader', Order: 1, InsertHeaderConfig: { Key: 'X-A', Value: 'b' } }]));
  assert.equal(e.code, 'InvalidParameter');
  assert.match(e.message, /exactly one ForwardGroup, Redirect or FixedResponse/);
  e = await rejection(() => create(101, path, [{ Type: 'FixedResponse', Order: 1, FixedResponseConfig: { HttpCode: '302' } }]));
  assert.equal(e.code, 'InvalidParameter');
  e = await rejection(() => create(101, path, [{ Type: 'FixedResponse', Order: 1, FixedResponseConfig: { HttpCode: '200', Content: 'x'.repeat(1025) } }]));
  assert.equal(e.code, 'InvalidParameter');
  e = await rejection(() => create(101, path, [{ Type: 'TrafficMirror', Order: 1, TrafficMirrorConfig: { TargetType: 'ForwardGroupMirror', MirrorGroupConfig: { ServerGroupTuples: [{ ServerGroupId: groups.b }] } } }, forward(groups.b, 2)]));
  assert.equal(e.code, 'OperationDenied.TrafficMirrorNotSupported');
  e = await rejection(() => create(101, path, [forward('sgp-doesnotexist0000000')]));
  assert.equal(e.code, 'ResourceNotFound.ServerGroup');
  e = await rejection(() => create(101, [{ Type: 'SourceIp', SourceIpConfig: { Values: ['10.0.0.0/33'] } }], [forward(groups.b)]));
  assert.equal(e.code, 'InvalidParameter');
  e = await rejection(() => create(101, path, [{ Type: 'Redirect', Order: 1, RedirectConfig: { HttpCode: '301' } }]));
  assert.equal(e.code, 'InvalidParameter', 'a redirect that changes nothing loops');
  e = await rejection(() => create(10001, path, [forward(groups.b)]));
  assert.equal(e.code, 'InvalidParameter');
  const six = Array.from({ length: 6 }, (_, i) => ({ Type: 'InsertHeader', Order: i + 1, InsertHeaderConfig: { Key: `X-${i}`, Value: 'v' } }));
  e = await rejection(() => create(101, path, [...six, forward(groups.b, 7)]));
  assert.equal(e.code, 'QuotaExceeded.RuleActionsNum');
  // A group a rule forwards to cannot be deleted.
  e = await rejection(() => server.call('DeleteServerGroup', { ServerGroupId: groups.b }));
  assert.equal(e.code, 'ResourceInUse.ServerGroup');
  // DryRun checks everything and creates nothing.
  e = await rejection(() => alb.createRule(new Alb.CreateRuleRequest({
    listenerId, ruleName: 'dry', priority: 200, dryRun: true,
    ruleConditions: [model('CreateRuleRequestRuleConditions', path[0])], ruleActions: [model('CreateRuleRequestRuleActions', forward(groups.b))],
  })));
  assert.equal(e.code, 'DryRunOperation');
  const { body } = await alb.listRules(new Alb.ListRulesRequest({}));
  assert.equal(body.rules.length, 1);
});

test('CreateRules, UpdateRulesAttribute and DeleteRules change several rules in one job', async (t) => {
  const { alb, groups, listenerId, port } = await setUp(t);
  const rule = (i) => model('CreateRulesRequestRules', {
    RuleName: `batch-${i}`, Priority: i,
    RuleConditions: [{ Type: 'Path', PathConfig: { Values: [`/batch/${i}`] } }],
    RuleActions: [{ Type: 'FixedResponse', Order: 1, FixedResponseConfig: { HttpCode: '200', Content: `batch ${i}` } }],
  });
  const { body } = await alb.createRules(new Alb.CreateRulesRequest({ listenerId, rules: [1, 2, 3].map(rule) }));
  assert.deepEqual(body.ruleIds.map((r) => r.priority), [1, 2, 3]);
  await waitFor(async () => (await alb.listRules(new Alb.ListRulesRequest({ listenerIds: [listenerId] }))).body.rules.every((r) => r.ruleStatus === 'Available'), 10000, 'the rules');
  assert.equal((await request(port, { path: '/batch/2' })).body, 'batch 2');
  const ids = body.ruleIds.map((r) => r.ruleId);
  const { body: updated } = await alb.updateRulesAttribute(new Alb.UpdateRulesAttributeRequest({
    rules: [model('UpdateRulesAttributeRequestRules', { RuleId: ids[1], RuleActions: [forward(groups.c)] })],
  }));
  assert.ok(updated.jobId);
  await waitFor(async () => (await request(port, { path: '/batch/2' })).headers['x-backend'] === 'c', 10000, 'the update to apply');
  // A sticky ForwardGroup: the first answer names the group in a cookie, and a client that
  // sends it back stays on that group.
  const { body: sticky } = await alb.createRule(new Alb.CreateRuleRequest({
    listenerId, ruleName: 'sticky', priority: 50,
    ruleConditions: [model('CreateRuleRequestRuleConditions', { Type: 'Path', PathConfig: { Values: ['/sticky'] } })],
    ruleActions: [model('CreateRuleRequestRuleActions', { Type: 'ForwardGroup', Order: 1, ForwardGroupConfig: {
      ServerGroupTuples: [{ ServerGroupId: groups.b, Weight: 50 }, { ServerGroupId: groups.c, Weight: 50 }],
      ServerGroupStickySession: { Enabled: true, Timeout: 600 } } })],
  }));
  await waitFor(async () => (await alb.listRules(new Alb.ListRulesRequest({ ruleIds: [sticky.ruleId] }))).body.rules[0].ruleStatus === 'Available', 10000, 'the sticky rule');
  const first = await request(port, { path: '/sticky' });
  const cookie = /^(openalb_sticky_group=sgp-[a-z0-9]+);/.exec(first.headers['set-cookie'][0])[1];
  for (let i = 0; i < 20; i += 1) {
    const again = await request(port, { path: '/sticky', headers: { Cookie: `x=1; ${cookie}` } });
    assert.equal(again.headers['x-backend'], first.headers['x-backend']);
    assert.equal(again.headers['set-cookie'], undefined);
  }
  ids.push(sticky.ruleId);
  await alb.deleteRules(new Alb.DeleteRulesRequest({ ruleIds: ids }));
  await waitFor(async () => (await alb.listRules(new Alb.ListRulesRequest({}))).body.rules.length === 0, 10000, 'the deletion');
  assert.equal((await request(port, { path: '/batch/1' })).headers['x-backend'], 'a');
});

test('200 rule create, update and delete cycles under keep-alive load fail no request', async (t) => {
  const { alb, server, groups, listenerId, port, createRule } = await setUp(t);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  t.after(() => agent.destroy());
  let stop = false;
  let sent = 0;
  const failures = [];
  const load = async () => {
    while (!stop) {
      const r = await request(port, { host: 'churn.test', path: '/churn', agent }).catch((e) => ({ status: 0, body: String(e) }));
      sent += 1;
      if (r.status !== 200) failures.push(r);
    }
  };
  const loaders = [load(), load(), load(), load()];
  for (let i = 0; i < 200; i += 1) {
    const ruleId = await createRule(`churn-${i}`, 1 + (i % 100), [{ Type: 'Path', PathConfig: { Values: ['/churn'] } }], [forward(groups.b)]);
    const { body: updated } = await alb.updateRuleAttribute(new Alb.UpdateRuleAttributeRequest({
      ruleId, ruleActions: [model('UpdateRuleAttributeRequestRuleActions', forward(groups.c))],
    }));
    await server.waitJob(updated.jobId);
    const { body: deleted } = await alb.deleteRule(new Alb.DeleteRuleRequest({ ruleId }));
    await server.waitJob(deleted.jobId);
  }
  stop = true;
  await Promise.all(loaders);
  assert.ok(sent > 200, `only ${sent} requests were sent`);
  assert.deepEqual(failures, []);
});
