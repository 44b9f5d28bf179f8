// dissociate_latency: how long after DissociateAdditionalCertificatesFromListener is
// accepted the certificate stops being served. One HTTPS listener with a default
// certificate; each cycle associates a.example.com (and waits until a handshake gets it),
// then dissociates it and handshakes with SNI a.example.com back to back until the default
// certificate answers. The time from the Dissociate response to the end of that handshake
// is the sample: an upper bound, including one full handshake.
//
// With --hosts A,B,C (a fleet: the nodes' listener addresses) a sample ends when none of
// them serves the certificate any more. With --protocol QUIC the listener is a QUIC one and
// each handshake is a QUIC handshake by openalb_quic_probe (a process started per handshake,
// a few milliseconds that the sample includes).
//
// Usage: node bench/dissociate_latency.js --endpoint 127.0.0.1:PORT --data-dir DIR
//        --port-offset N --cycles 100 [--hosts 127.0.0.2,127.0.0.3,127.0.0.4]
//        [--protocol QUIC --probe build/release/tests/openalb_quic_probe]
'use strict';
const path = require('node:path');
const { execFile } = require('node:child_process');
const { arg, openalbClient } = require('./openalb_client');
const { servedName: servedOn } = require(path.join(__dirname, '..', 'tests', 'sdk', 'harness'));

const endpoint = arg('endpoint');
const dataDir = arg('data-dir');
const offset = Number(arg('port-offset', 0));
const cycles = Number(arg('cycles', 100));
const hosts = arg('hosts', '127.0.0.1').split(',');
const protocol = arg('protocol', 'HTTPS');
const probe = arg('probe', path.join(__dirname, '..', 'build', 'release', 'tests', 'openalb_quic_probe'));
const { call, upload } = openalbClient(endpoint, dataDir);

// Polls `predicate` until it holds; a benchmark that waits forever would measure nothing.
async function until(predicate, ms = 30000) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await predicate()) return;
    if (Date.now() > deadline) throw new Error(`gave up after ${ms} ms: ${predicate}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

// The common name a QUIC handshake with `servername` is shown.
function servedOverQuic(host, port, servername) {
  return new Promise((resolve, reject) => {
    execFile(probe, [host, String(port), servername], (error, stdout) => {
      const hello = stdout ? JSON.parse(stdout.split('\n')[0]) : null;
      if (!hello || !hello.handshake) return reject(error || new Error(hello && hello.error));
      resolve(hello.cn);
    });
  });
}

// What `servername` gets: the one name if every host serves the same, else "mixed".
async function served(port, servername) {
  const one = protocol === 'QUIC' ? servedOverQuic : servedOn;
  const names = await Promise.all(hosts.map((host) => one(host, port, servername)));
  return names.every((n) => n === names[0]) ? names[0] : 'mixed';
}

async function main() {
  const lb = (await call('CreateLoadBalancer', { LoadBalancerName: 'lat', LoadBalancerEdition: 'Standard' })).LoadBalancerId;
  await until(async () => (await call('GetLoadBalancerAttribute', { LoadBalancerId: lb })).LoadBalancerStatus === 'Active');
  const main = await upload('default.bench');
  const extra = await upload('a.example.com');
  const listener = (await call('CreateListener', {
    LoadBalancerId: lb, ListenerProtocol: protocol, ListenerPort: 443, 'Certificates.1.CertificateId': main,
    ...(protocol === 'HTTPS' ? { SecurityPolicyId: 'tls_cipher_policy_1_2_strict_with_1_3' } : {}),
  })).ListenerId;
  const port = 443 + offset;
  await until(async () => (await call('GetListenerAttribute', { ListenerId: listener })).ListenerStatus === 'Running');
  const samples = [];
  let stale = 0;  // handshakes after acceptance that still got the dissociated certificate
  for (let i = 0; i < cycles; ++i) {
    await call('AssociateAdditionalCertificatesWithListener', { ListenerId: listener, 'Certificates.1.CertificateId': extra });
    await until(async () => (await served(port, 'a.example.com')) === 'a.example.com');
    await until(async () => (await call('GetListenerAttribute', { ListenerId: listener })).ListenerStatus === 'Running');
    await call('DissociateAdditionalCertificatesFromListener', { ListenerId: listener, 'Certificates.1.CertificateId': extra });
    const accepted = process.hrtime.bigint();
    let handshakes = 0;
    for (;;) {
      ++handshakes;
      if ((await served(port, 'a.example.com')) === 'default.bench') {
        samples.push(Number(process.hrtime.bigint() - accepted) / 1e6);
        break;
      }
    }
    stale += handshakes - 1;
    await until(async () => (await call('GetListenerAttribute', { ListenerId: listener })).ListenerStatus === 'Running');
  }
  samples.sort((a, b) => a - b);
  const at = (p) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))];
  console.log(JSON.stringify({
    protocol, cycles, hosts: hosts.length, stale_handshakes: stale, p50_ms: Number(at(0.5).toFixed(2)), p99_ms: Number(at(0.99).toFixed(2)), max_ms: Number(samples[samples.length - 1].toFixed(2)),
  }));
}

main().catch((e) => { console.error(e); process.exit(1); });
