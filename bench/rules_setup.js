// rules_setup: gives a running openalb one plain-HTTP listener on port 80 (plus the server's
// port offset) with N forwarding rules — rule i: Host h<i>.bench.test and Path /p<i>/*,
// forwarding to server group i mod 10, group k holding the HTTP server at BASE+k; the
// listener's default action forwards to a group holding BASE+10. Rules are created 10 per
// CreateRules call; waits until every job succeeded.
//
// Usage: node bench/rules_setup.js --endpoint 127.0.0.1:PORT --data-dir DIR --rules N
//          --backend 127.0.0.1:BASE
'use strict';
const { arg, openalbClient } = require('./openalb_client');

async function main() {
  const { call } = openalbClient(arg('endpoint'), arg('data-dir'));
  const rules = Number(arg('rules', '100'));
  const [address, base] = arg('backend').split(':');
  const job = async (jobId) => {
    for (;;) {
      const { Status, ErrorMessage } = (await call('ListAsynJobs', { 'JobIds.1': jobId })).Jobs[0];
      if (Status === 'Failed') throw new Error(ErrorMessage);
      if (Status === 'Succeeded') return;
      await new Promise((r) => setTimeout(r, 2));
    }
  };
  const { LoadBalancerId: lb, JobId: lbJob } = await call('CreateLoadBalancer', { LoadBalancerName: 'bench', LoadBalancerEdition: 'Standard' });
  await job(lbJob);
  const groups = [];
  for (let g = 0; g <= 10; g += 1) {
    const { ServerGroupId, JobId } = await call('CreateServerGroup', { ServerGroupName: `bench-${g}`, ServerGroupType: 'Ip' });
    await job(JobId);
    await job((await call('AddServersToServerGroup', {
      ServerGroupId, 'Servers.1.ServerId': address, 'Servers.1.ServerType': 'Ip', 'Servers.1.Port': Number(base) + g,
    })).JobId);
    groups.push(ServerGroupId);
  }
  const { ListenerId, JobId } = await call('CreateListener', {
    LoadBalancerId: lb, ListenerProtocol: 'HTTP', ListenerPort: 80,
    'DefaultActions.1.Type': 'ForwardGroup',
    'DefaultActions.1.ForwardGroupConfig.ServerGroupTuples.1.ServerGroupId': groups[10],
  });
  await job(JobId);
  for (let first = 1; first <= rules; first += 10) {
    const params = { ListenerId };
    for (let i = first, k = 1; i < first + 10 && i <= rules; i += 1, k += 1) {
      const p = `Rules.${k}.`;
      params[`${p}RuleName`] = `rule-${i}`;
      params[`${p}Priority`] = i;
      params[`${p}RuleConditions.1.Type`] = 'Host';
      params[`${p}RuleConditions.1.HostConfig.Values.1`] = `h${i}.bench.test`;
      params[`${p}RuleConditions.2.Type`] = 'Path';
      params[`${p}RuleConditions.2.PathConfig.Values.1`] = `/p${i}/*`;
      params[`${p}RuleActions.1.Type`] = 'ForwardGroup';
      params[`${p}RuleActions.1.Order`] = 1;
      params[`${p}RuleActions.1.ForwardGroupConfig.ServerGroupTuples.1.ServerGroupId`] = groups[i % 10];
    }
    await job((await call('CreateRules', params)).JobId);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
