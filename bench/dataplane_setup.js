// dataplane_setup: gives a running openalb one HTTPS listener (or, with --listener-protocol
// QUIC, one QUIC listener) on port 443 or --port (plus the server's port offset) serving host-1..host-N.bench.test from DIR/host-<i>.bench.test.pem
// (host-1 as the default certificate, the rest associated as additional ones, 20 per call
// as the API allows), optionally forwarding to one server (its group's Protocol HTTP, or
// --protocol gRPC for cleartext HTTP/2); waits until it serves.
// The server needs --quota-certificates-standard >= N.
//
// Usage: node bench/dataplane_setup.js --endpoint 127.0.0.1:PORT --data-dir DIR
//          --certs CERTDIR --count N [--backend 127.0.0.1:PORT [--protocol HTTP|gRPC]]
//          [--listener-protocol HTTPS|QUIC] [--port 443] [--access-log on]
// --access-log on: the load balancer's access log is enabled (EnableLoadBalancerAccessLog), so
// the listener writes a line per request to the server's --dataplane-access-log.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { arg, openalbClient } = require('./openalb_client');

async function waitFor(check, what) {
  for (let i = 0; i < 100000; ++i) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 2));
  }
  throw new Error(`gave up waiting for ${what}`);
}

async function main() {
  const client = openalbClient(arg('endpoint'), arg('data-dir'));
  const { call } = client;
  const count = Number(arg('count', '1'));
  const job = (jobId) => waitFor(async () => {
    const { Status, ErrorMessage } = (await call('ListAsynJobs', { 'JobIds.1': jobId })).Jobs[0];
    if (Status === 'Failed') throw new Error(ErrorMessage);
    return Status === 'Succeeded';
  }, `job ${jobId}`);

  // Uploads, 8 at a time.
  const ids = new Array(count);
  let next = 0;
  await Promise.all(Array.from({ length: 8 }, async () => {
    while (next < count) {
      const i = next++;
      const name = `host-${i + 1}.bench.test`;
      const pem = fs.readFileSync(path.join(arg('certs'), `${name}.pem`), 'utf8');
      const split = pem.indexOf('-----BEGIN PRIVATE KEY-----');
      ids[i] = await client.uploadPem(name, pem.slice(0, split), pem.slice(split));
    }
  }));

  const { LoadBalancerId: lb, JobId: lbJob } = await call('CreateLoadBalancer', { LoadBalancerName: 'bench', LoadBalancerEdition: 'Standard' });
  await job(lbJob);
  const protocol = arg('listener-protocol', 'HTTPS');
  const listener = {
    LoadBalancerId: lb, ListenerProtocol: protocol, ListenerPort: Number(arg('port', '443')), 'Certificates.1.CertificateId': ids[0],
  };
  // TLS 1.3, as the anchors' handshakes are (ALB's default policy stops at TLS 1.2). QUIC is
  // TLS 1.3 only.
  if (protocol === 'HTTPS') listener.SecurityPolicyId = 'tls_cipher_policy_1_2_strict_with_1_3';
  if (arg('backend')) {
    const [address, port] = arg('backend').split(':');
    const { ServerGroupId: group, JobId: groupJob } = await call('CreateServerGroup', {
      ServerGroupName: 'bench', ServerGroupType: 'Ip', Protocol: arg('protocol', 'HTTP'),
    });
    await job(groupJob);
    await job((await call('AddServersToServerGroup', {
      ServerGroupId: group, 'Servers.1.ServerId': address, 'Servers.1.ServerType': 'Ip', 'Servers.1.Port': port,
    })).JobId);
    listener['DefaultActions.1.Type'] = 'ForwardGroup';
    listener['DefaultActions.1.ForwardGroupConfig.ServerGroupTuples.1.ServerGroupId'] = group;
  }
  const { ListenerId, JobId } = await call('CreateListener', listener);
  await job(JobId);
  if (arg('access-log', 'off') === 'on') {
    await job((await call('EnableLoadBalancerAccessLog', { LoadBalancerId: lb, LogProject: 'bench', LogStore: 'bench' })).JobId);
  }
  for (let i = 1; i < count; i += 20) {
    const params = { ListenerId };
    ids.slice(i, i + 20).forEach((id, k) => { params[`Certificates.${k + 1}.CertificateId`] = id; });
    await job((await call('AssociateAdditionalCertificatesWithListener', params)).JobId);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
