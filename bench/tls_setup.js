// tls_setup: gives a running openalb one HTTPS listener on port 443 (plus the server's
// port offset) whose default certificate is the given PEM pair, and waits until it serves.
//
// Usage: node bench/tls_setup.js --endpoint 127.0.0.1:PORT --data-dir DIR --cert C --key K
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const { arg, openalbClient } = require('./openalb_client');
const { RPCClient } = require(path.join(__dirname, '..', 'tests', 'sdk', 'node_modules', '@alicloud', 'pop-core'));

async function main() {
  const endpoint = arg('endpoint');
  const dataDir = arg('data-dir');
  const { call } = openalbClient(endpoint, dataDir);
  const credentials = JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json')));
  const cas = new RPCClient({
    accessKeyId: credentials.AccessKeyId, accessKeySecret: credentials.AccessKeySecret,
    endpoint: `http://${endpoint}`, apiVersion: '2020-04-07',
  });
  const uploaded = await cas.request('UploadUserCertificate', {
    Name: 'bench', Cert: fs.readFileSync(arg('cert'), 'utf8'), Key: fs.readFileSync(arg('key'), 'utf8'),
  }, { method: 'POST' });
  const lb = (await call('CreateLoadBalancer', { LoadBalancerName: 'tls', LoadBalancerEdition: 'Standard' })).LoadBalancerId;
  for (;;) {
    if ((await call('GetLoadBalancerAttribute', { LoadBalancerId: lb })).LoadBalancerStatus === 'Active') break;
  }
  const { ListenerId } = await call('CreateListener', {
    LoadBalancerId: lb, ListenerProtocol: 'HTTPS', ListenerPort: 443,
    'Certificates.1.CertificateId': `${uploaded.CertId}-cn-hangzhou`,
  });
  for (let i = 0; ; ++i) {
    const { ListenerStatus } = await call('GetListenerAttribute', { ListenerId });
    if (ListenerStatus === 'Running') break;
    if (ListenerStatus === 'Stopped' || i > 10000) throw new Error(`listener ${ListenerStatus}`);
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
