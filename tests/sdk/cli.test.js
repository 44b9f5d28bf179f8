// The first hour with the command line, as a new user meets it: bad settings refused at
// start with a message naming the setting and the fix, read-only commands that do not
// create a data directory where there is none, --version, and the port announced whatever
// the log level.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Server, BIN, makeCertificate } = require('./harness');

function run(args, options = {}) {
  return spawnSync(BIN, args, { encoding: 'utf8', timeout: 20000, ...options });
}

test('settings that cannot work are refused at start, naming the setting and the fix', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openalb-cli-'));
  try {
    const serve = (...args) => run(['serve', '--listen', '127.0.0.1:0', '--admin-listen', 'off', '--data-dir', path.join(dir, 'data'), ...args]);
    const level = serve('--log-level', 'verbose');
    assert.notEqual(level.status, 0);
    assert.match(level.stderr, /--log-level/);

    const delay = serve('--job-delay', '2');
    assert.notEqual(delay.status, 0);
    assert.match(delay.stderr, /2s or 2ms/);

    const a = makeCertificate('api.test');
    const b = makeCertificate('other.test');
    fs.writeFileSync(path.join(dir, 'a.crt'), a.cert);
    fs.writeFileSync(path.join(dir, 'b.key'), b.key);
    const certOnly = serve('--tls-cert', path.join(dir, 'a.crt'));
    assert.notEqual(certOnly.status, 0);
    assert.match(certOnly.stderr, /--tls-cert is set without --tls-key/);

    const mismatch = serve('--tls-cert', path.join(dir, 'a.crt'), '--tls-key', path.join(dir, 'b.key'));
    assert.notEqual(mismatch.status, 0);
    assert.match(mismatch.stderr, /--tls-key \S+ .*--tls-cert \S+/);
    assert.doesNotMatch(mismatch.stderr, /PRIVATE KEY/);

    fs.writeFileSync(path.join(dir, 'openalb.toml'), 'region = "cn-beijing"\n');
    const toml = serve('--config', path.join(dir, 'openalb.toml'));
    assert.notEqual(toml.status, 0);
    assert.match(toml.stderr, /did you mean region_id\?/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('read-only commands in the wrong directory say where they looked and create nothing', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openalb-cli-'));
  try {
    for (const command of [['keys', 'list'], ['accounts', 'list'], ['certs', 'list'], ['audit']]) {
      const result = run(command, { cwd: dir, env: { ...process.env, OPENALB_DATA_DIR: '' } });
      assert.equal(result.status, 1, `${command.join(' ')}: ${result.stdout}${result.stderr}`);
      assert.match(result.stderr, new RegExp(`no openalb data directory at ${path.join(fs.realpathSync(dir), 'openalb-data').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`));
      assert.equal(result.stdout, '', 'no empty table');
      assert.deepEqual(fs.readdirSync(dir), [], `${command.join(' ')} created something`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('--version names the release and the API version', () => {
  const version = execFileSync(BIN, ['--version'], { encoding: 'utf8' });
  assert.match(version, /^openalb \d+\.\d+\.\d+ \(Alibaba Cloud ALB OpenAPI 2020-06-16\)/);
});

test('the listening line is printed at any log level, so port 0 can be found', async (t) => {
  const server = await Server.start({ args: ['--log-level', 'error'] });
  t.after(() => server.stop());
  assert.ok(server.port > 0);
});

test('no AccessKey secret is stored in plain text in the database or its WAL', async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const created = server.cli('keys', 'create');
  const secret = /AccessKeySecret: (\S+)/.exec(created)[1];
  // Used once, so the key is known to work.
  await server.alb({ accessKeyId: /AccessKeyId: +(\S+)/.exec(created)[1], accessKeySecret: secret })
    .describeRegions(new (require('./harness').Alb.DescribeRegionsRequest)({}));
  for (const file of fs.readdirSync(server.dataDir).filter((f) => f.startsWith('openalb.db'))) {
    const bytes = fs.readFileSync(path.join(server.dataDir, file));
    for (const s of [secret, server.credentials.AccessKeySecret]) {
      assert.equal(bytes.indexOf(s), -1, `${file} holds a secret`);
    }
  }
});
