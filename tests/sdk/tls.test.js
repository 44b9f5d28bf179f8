// The OpenAPI endpoint over HTTPS (--tls-cert/--tls-key), called by the ALB SDK.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { Server, Alb, rejection } = require('./harness');
const $dara = require('@darabonba/typescript');

test('the ALB SDK calls the endpoint over HTTPS', async (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openalb-tls-'));
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256',
    '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-keyout', `${dir}/key.pem`, '-out', `${dir}/cert.pem`],
  { stdio: 'ignore' });
  const server = await Server.start({ args: ['--tls-cert', `${dir}/cert.pem`, '--tls-key', `${dir}/key.pem`] });
  t.after(() => server.stop());
  assert.match(server.stderr, /tls=on/);

  const runtime = new $dara.RuntimeOptions({ ignoreSSL: true });
  const client = server.alb({ protocol: 'https' });
  const response = await client.describeRegionsWithOptions(new Alb.DescribeRegionsRequest({}), runtime);
  assert.equal(response.body.regions[0].regionId, 'cn-hangzhou');

  // Plain HTTP to the TLS port fails the handshake: the connection is closed, no API answer.
  const e = await rejection(() => server.alb().describeRegions(new Alb.DescribeRegionsRequest({})));
  assert.equal(e.code, 'ECONNRESET');
  assert.equal(e.statusCode, undefined);
});

test('a missing TLS key file stops start-up with a message naming it', async () => {
  const { spawnSync } = require('node:child_process');
  const { BIN } = require('./harness');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openalb-tls-'));
  const result = spawnSync(BIN, ['serve', '--listen', '127.0.0.1:0', '--data-dir', dir,
    '--tls-cert', '/nonexistent/cert.pem', '--tls-key', '/nonexistent/key.pem'], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  assert.equal(result.status, 1);
  assert.match(result.stderr, /cannot load TLS certificate \/nonexistent\/cert\.pem/);
});
