// certificate_churn: Associate + Dissociate requests/s and job completion latency at N
// concurrent clients, as a Terraform-like client drives them: each client owns one HTTPS
// listener and alternates associating and dissociating one certificate, polling the
// listener until it is Running again before the next change. Job latency (accept to
// Succeeded) comes from the server's own job timestamps (ListAsynJobs CreateTime and
// ModifyTime, milliseconds); the client also records accept-to-observed-done.
//
// Usage: node bench/certificate_churn.js --endpoint 127.0.0.1:PORT --data-dir DIR
//        --clients 16 --seconds 8
'use strict';
const { arg, openalbClient } = require('./openalb_client');

const endpoint = arg('endpoint');
const dataDir = arg('data-dir');
const clients = Number(arg('clients', 16));
const seconds = Number(arg('seconds', 8));
const { call, upload } = openalbClient(endpoint, dataDir);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls `predicate` until it holds; a benchmark that waits forever would measure nothing.
async function until(predicate, ms = 30000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`gave up after ${ms} ms: ${predicate}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

let polls = 0;
const running = async (id) => {
  ++polls;
  return (await call('GetListenerAttribute', { ListenerId: id })).ListenerStatus === 'Running';
};

async function setUp(tag) {
  const main = await upload(`main-${tag}.bench`);
  const listeners = [];
  let lb;
  for (let i = 0; i < clients; ++i) {
    if (i % 20 === 0) {  // 20 additional certificates per load balancer: under the quota of 25
      lb = (await call('CreateLoadBalancer', { LoadBalancerName: 'bench', LoadBalancerEdition: 'Standard' })).LoadBalancerId;
      await until(async () => (await call('GetLoadBalancerAttribute', { LoadBalancerId: lb })).LoadBalancerStatus === 'Active');
    }
    const id = (await call('CreateListener', {
      LoadBalancerId: lb, ListenerProtocol: 'HTTPS', ListenerPort: 443 + i, 'Certificates.1.CertificateId': main,
      SecurityPolicyId: 'tls_cipher_policy_1_2_strict_with_1_3',
    })).ListenerId;
    listeners.push({ id, extra: await upload(`extra-${tag}-${i}.bench`) });
  }
  for (const l of listeners) await until(() => running(l.id));
  return listeners;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

async function main() {
  const tag = `${clients}-${Date.now()}`;
  const listeners = await setUp(tag);
  const begin = Date.now();
  polls = 0;
  const deadline = begin + seconds * 1000;
  let accepted = 0;
  let failed = 0;
  const observed = [];
  const jobIds = [];
  await Promise.all(listeners.map(async (l) => {
    let associated = false;
    while (Date.now() < deadline) {
      const action = associated ? 'DissociateAdditionalCertificatesFromListener' : 'AssociateAdditionalCertificatesWithListener';
      const sent = process.hrtime.bigint();
      try {
        const r = await call(action, { ListenerId: l.id, 'Certificates.1.CertificateId': l.extra });
        jobIds.push(r.JobId);
        ++accepted;
      } catch (e) {
        ++failed;
        await sleep(1);
        continue;
      }
      await until(() => running(l.id));
      observed.push(Number(process.hrtime.bigint() - sent) / 1e6);
      associated = !associated;
    }
  }));
  const wall = (Date.now() - begin) / 1000;
  const pollsDuringRun = polls;

  // Server-side latency of every job of the run.
  const latencies = [];
  const wanted = new Set(jobIds);
  let nextToken;
  do {
    const page = await call('ListAsynJobs', { BeginTime: begin - 1000, MaxResults: 100, ...(nextToken ? { NextToken: nextToken } : {}) });
    for (const job of page.Jobs) {
      if (wanted.has(job.Id) && job.Status === 'Succeeded') latencies.push(job.ModifyTime - job.CreateTime);
    }
    nextToken = page.NextToken;
  } while (nextToken);
  latencies.sort((a, b) => a - b);
  observed.sort((a, b) => a - b);
  console.log(JSON.stringify({
    clients, seconds: wall, accepted, failed, writes_per_second: Math.round(accepted / wall),
    polls_per_second: Math.round(pollsDuringRun / wall),
    jobs_succeeded: latencies.length,
    job_p50_ms: percentile(latencies, 0.5), job_p99_ms: percentile(latencies, 0.99),
    observed_p50_ms: Number(percentile(observed, 0.5)?.toFixed(2)), observed_p99_ms: Number(percentile(observed, 0.99)?.toFixed(2)),
  }));
}

main().catch((e) => { console.error(e); process.exit(1); });
