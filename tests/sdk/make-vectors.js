// Regenerates tests/testdata/sdk_signature_vectors.json: real requests signed by the
// official SDKs (@alicloud/alb20200616 for V3, @alicloud/pop-core for V1), captured off
// the wire by a local HTTP server. The C++ suite verifies each one with openalb's own
// signature code. Run: node make-vectors.js   (only needed when the SDKs are upgraded)
'use strict';
const http = require('node:http');
const fs = require('node:fs');
const path = require('node:path');
const Alb = require('@alicloud/alb20200616');
const OpenApi = require('@alicloud/openapi-core');
const { RPCClient } = require('@alicloud/pop-core');

const accessKeyId = 'LTAItestvectorkey0000001';
const accessKeySecret = 'vectorSecret0123456789abcdefgh';
const tricky = 'a b*~+/=&é中?%';

async function main() {
  const captured = [];
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const headers = [];
      for (let i = 0; i < req.rawHeaders.length; i += 2) {
        headers.push([req.rawHeaders[i].toLowerCase(), req.rawHeaders[i + 1]]);
      }
      captured.push({ method: req.method, target: req.url, headers, body });
      res.setHeader('content-type', 'application/json');
      res.end('{"RequestId":"X"}');
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const endpoint = `127.0.0.1:${server.address().port}`;

  const v3 = new Alb.default(new OpenApi.$OpenApiUtil.Config({
    accessKeyId, accessKeySecret, endpoint, protocol: 'http',
  }));
  const v1 = new RPCClient({
    accessKeyId, accessKeySecret, endpoint: `http://${endpoint}`, apiVersion: '2020-06-16',
  });
  const names = [];
  const run = async (name, fn) => { names.push(name); await fn(); };

  await run('v3 DescribeRegions', () => v3.describeRegions(new Alb.DescribeRegionsRequest({ acceptLanguage: 'en-US' })));
  await run('v3 Dissociate with awkward characters', () => v3.dissociateAdditionalCertificatesFromListener(
    new Alb.DissociateAdditionalCertificatesFromListenerRequest({
      listenerId: 'lsr-vector', dryRun: true, clientToken: tricky,
      certificates: [{ certificateId: '123-cn-hangzhou' }, { certificateId: tricky }],
    })));
  await run('v3 ListListenerCertificates with a string list', () => v3.listListenerCertificates(
    new Alb.ListListenerCertificatesRequest({ listenerId: 'lsr-vector', certificateIds: ['1-cn-hangzhou', '2-cn-hangzhou'], maxResults: 20 })));
  await run('v1 GET with awkward characters', () => v1.request('DescribeRegions', { AcceptLanguage: tricky }, {}));
  await run('v1 POST form body with an array', () => v1.request('DescribeRegions', {
    AcceptLanguage: tricky, Certificates: [{ CertificateId: tricky }, { CertificateId: '9-cn-hangzhou' }],
  }, { method: 'POST' }));

  server.close();
  const vectors = captured.map((c, i) => ({ name: names[i], access_key_id: accessKeyId, secret: accessKeySecret, ...c }));
  const out = path.join(__dirname, '..', 'testdata', 'sdk_signature_vectors.json');
  fs.writeFileSync(out, JSON.stringify(vectors, null, 1) + '\n');
  console.log(`wrote ${vectors.length} vectors to ${out}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
