// What the Node benchmark clients share: command-line flags, and pop-core (V1) clients for
// a server's ALB and certificate actions, signed with the root key of its data directory.
'use strict';
const path = require('node:path');
const fs = require('node:fs');
const { RPCClient } = require(path.join(__dirname, '..', 'tests', 'sdk', 'node_modules', '@alicloud', 'pop-core'));
const { makeCertificate } = require(path.join(__dirname, '..', 'tests', 'sdk', 'harness'));

// The value after --name on the command line, or `fallback`.
function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
}

// `call(action, params)` POSTs an ALB action; `upload(name)` uploads a fresh certificate
// (`uploadPem(name, cert, key)` a given one) through the CAS action and returns its ALB id.
function openalbClient(endpoint, dataDir) {
  const credentials = JSON.parse(fs.readFileSync(path.join(dataDir, 'credentials.json')));
  const client = (version) => new RPCClient({
    accessKeyId: credentials.AccessKeyId, accessKeySecret: credentials.AccessKeySecret,
    endpoint: `http://${endpoint}`, apiVersion: version,
  });
  const alb = client('2020-06-16');
  const cas = client('2020-04-07');
  const uploadPem = async (name, cert, key) => {
    const r = await cas.request('UploadUserCertificate', { Name: name, Cert: cert, Key: key }, { method: 'POST' });
    return `${r.CertId}-cn-hangzhou`;
  };
  return {
    call: (action, params) => alb.request(action, params, { method: 'POST' }),
    upload(name, options) {
      const { cert, key } = makeCertificate(name, options);
      return uploadPem(name, cert, key);
    },
    uploadPem,
  };
}

module.exports = { arg, openalbClient };
