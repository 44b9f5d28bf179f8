// health_setup: gives a running openalb one HTTP listener on port 80 (plus the server's port
// offset) forwarding to a group of COUNT servers 127.0.<i/250>.<1+i%250>:PORT with active
// health checks (HTTP HEAD /, interval 2 s, ALB's defaults) or none (--checks off), and waits
// until GetListenerHealthStatus reports every server Healthy (or, without checks, the listener
// serves).
//
// Usage: node bench/health_setup.js --endpoint 127.0.0.1:PORT --data-dir DIR --count N
//          --port PORT [--checks on|off]
'use strict';
const { arg, openalbClient } = require('./openalb_client');

async function waitFor(check, what) {
  for (let i = 0; i < 600; ++i) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`gave up waiting for ${what}`);
}

async function main() {
  const { call } = openalbClient(arg('endpoint'), arg('data-dir'));
  const count = Number(arg('count', '1000'));
  const checks = arg('checks', 'on') === 'on';
  const job = (jobId) => waitFor(async () => {
    const { Status, ErrorMessage } = (await call('ListAsynJobs', { 'JobIds.1': jobId })).Jobs[0];
    if (Status === 'Failed') throw new Error(ErrorMessage);
    return Status === 'Succeeded';
  }, `job ${jobId}`);
  const { LoadBalancerId: lb, JobId: lbJob } = await call('CreateLoadBalancer', { LoadBalancerName: 'bench', LoadBalancerEdition: 'Standard' });
  await job(lbJob);
  const group = { ServerGroupName: 'bench', ServerGroupType: 'Ip', 'HealthCheckConfig.HealthCheckEnabled': checks };
  if (checks) {
    Object.assign(group, { 'HealthCheckConfig.HealthCheckPath': '/', 'HealthCheckConfig.HealthCheckMethod': 'HEAD' });
  }
  const { ServerGroupId, JobId: groupJob } = await call('CreateServerGroup', group);
  await job(groupJob);
  for (let first = 0; first < count; first += 200) {
    const params = { ServerGroupId };
    for (let i = first; i < Math.min(count, first + 200); ++i) {
      const k = i - first + 1;
      params[`Servers.${k}.ServerId`] = `127.0.${Math.floor(i / 250)}.${1 + (i % 250)}`;
      params[`Servers.${k}.ServerType`] = 'Ip';
      params[`Servers.${k}.Port`] = arg('port');
    }
    await job((await call('AddServersToServerGroup', params)).JobId);
  }
  const { ListenerId, JobId } = await call('CreateListener', {
    LoadBalancerId: lb, ListenerProtocol: 'HTTP', ListenerPort: 80,
    'DefaultActions.1.Type': 'ForwardGroup', 'DefaultActions.1.ForwardGroupConfig.ServerGroupTuples.1.ServerGroupId': ServerGroupId,
  });
  await job(JobId);
  if (!checks) return;
  await waitFor(async () => {
    const status = await call('GetListenerHealthStatus', { ListenerId });
    return status.ListenerHealthStatus[0].ServerGroupInfos[0].NonNormalServers.length === 0;
  }, 'every server Healthy');
}

main().catch((e) => { console.error(e); process.exit(1); });
