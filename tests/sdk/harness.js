// Starts a real openalb server for a test and builds official SDK clients for it.
// The binary comes from $OPENALB_BIN (ctest sets it); each server gets its own temp data dir
// and a free port (--listen 127.0.0.1:0, read back from the "event=listening" log line).
'use strict';
const assert = require('node:assert/strict');
const tls = require('node:tls');
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const Alb = require('@alicloud/alb20200616');
const OpenApi = require('@alicloud/openapi-core');
const { RPCClient } = require('@alicloud/pop-core');

const BIN = process.env.OPENALB_BIN || path.join(__dirname, '..', '..', 'build', 'asan', 'openalb');

// Waits until `predicate()` is truthy, polling; fails after `ms` milliseconds.
async function waitFor(predicate, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await predicate();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// The first port the kernel hands out for outgoing connections and port-0 binds.
function ephemeralPortsStart() {
  try {
    return Number(fs.readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]) || 32768;
  } catch {
    return 32768;
  }
}

class Server {
  // `adminDefault`: no --admin-listen, so the server takes its default admin address.
  static async start({ dataDir, args = [], adminDefault = false } = {}) {
    const server = new Server();
    server.dataDir = dataDir || fs.mkdtempSync(path.join(os.tmpdir(), 'openalb-sdk-'));
    server.ownsDataDir = !dataDir;
    server.stdout = '';
    server.stderr = '';
    // Listener ports bind N + offset, so tests never need privileged ports; the offset is
    // random so servers of different test files do not meet.
    // They stay below the kernel's ephemeral range, where a client socket of this very
    // machine (or a test's own backend on port 0) could hold the port and fail the bind.
    server.portOffset = 10000 + Math.floor(Math.random() * Math.max(1000, ephemeralPortsStart() - 10000 - 9000));
    const offset = args.includes('--listener-port-offset') ? [] : ['--listener-port-offset', String(server.portOffset)];
    // Its own admin port, unless the test chose (the default, 127.0.0.1:9901, is one per host).
    const admin = args.includes('--admin-listen') || adminDefault ? [] : ['--admin-listen', '127.0.0.1:0'];
    server.proc = spawn(BIN, ['serve', '--listen', '127.0.0.1:0', '--data-dir', server.dataDir, ...offset, ...admin, ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    server.proc.stdout.on('data', (d) => (server.stdout += d));
    server.proc.stderr.on('data', (d) => (server.stderr += d));
    // 'close', not 'exit': by then stdout and stderr have been read to their end.
    server.exited = new Promise((r) => server.proc.on('close', (code, signal) => r({ code, signal })));
    let match;
    try {
      match = await waitFor(() => /event=listening address=\S+ port=(\d+)/.exec(server.stderr) ||
        (server.proc.exitCode !== null && Promise.reject(new Error(`server exited: ${server.stderr}`))),
      15000, 'the server to listen');
    } catch (e) {
      // A server that comes up late would otherwise outlive the failed test and keep the test
      // file's process (and the suite) waiting on its pipes until ctest's timeout.
      server.proc.kill('SIGKILL');
      throw new Error(`${e.message}; its log:\n${server.stderr}`);
    }
    server.port = Number(match[1]);
    const adminMatch = /event=admin_listening address=\S+ port=(\d+)/.exec(server.stderr);
    server.adminPort = adminMatch ? Number(adminMatch[1]) : undefined;
    server.endpoint = `127.0.0.1:${server.port}`;
    server.credentials = JSON.parse(fs.readFileSync(path.join(server.dataDir, 'credentials.json')));
    return server;
  }

  // Stops with SIGTERM and fails if the server did not exit cleanly or a sanitizer spoke.
  async stop() {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGTERM');
    const result = await this.exited;
    if (this.ownsDataDir) fs.rmSync(this.dataDir, { recursive: true, force: true });
    if (/ERROR: (Address|Leak)Sanitizer|runtime error:/.test(this.stderr)) {
      throw new Error(`sanitizer report from the server:\n${this.stderr}`);
    }
    if (result.code !== 0) throw new Error(`server exited with ${JSON.stringify(result)}:\n${this.stderr}`);
    return result;
  }

  // The V3-signing ALB SDK client.
  alb({ accessKeyId = this.credentials.AccessKeyId, accessKeySecret = this.credentials.AccessKeySecret,
    protocol = 'http' } = {}) {
    return new Alb.default(new OpenApi.$OpenApiUtil.Config({
      accessKeyId, accessKeySecret, endpoint: this.endpoint, protocol,
    }));
  }

  // The V1-signing pop-core RPC client.
  pop({ accessKeyId = this.credentials.AccessKeyId, accessKeySecret = this.credentials.AccessKeySecret } = {}) {
    return new RPCClient({
      accessKeyId, accessKeySecret, endpoint: `http://${this.endpoint}`, apiVersion: '2020-06-16',
    });
  }

  // The V1-signing client for the certificate service actions (CAS, 2020-04-07).
  cas() {
    return new RPCClient({
      accessKeyId: this.credentials.AccessKeyId, accessKeySecret: this.credentials.AccessKeySecret,
      endpoint: `http://${this.endpoint}`, apiVersion: '2020-04-07',
    });
  }

  // Uploads a fresh certificate for `commonName`; returns its ALB id ("<CertId>-<region>").
  async uploadCertificate(commonName, options) {
    const { cert, key } = makeCertificate(commonName, options);
    const result = await this.cas().request('UploadUserCertificate',
      { Name: commonName, Cert: cert, Key: key }, { method: 'POST' });
    return `${result.CertId}-cn-hangzhou`;
  }

  // Kills the process with SIGKILL, as a crash or power loss would, and waits for it to go.
  async kill9() {
    this.proc.kill('SIGKILL');
    const result = await this.exited;
    assertKilled(result);
    return result;
  }

  // One V1 (pop-core) call as POST, resolving with the response body.
  call(action, params = {}) {
    return this.pop().request(action, params, { method: 'POST' });
  }

  // Waits for a job to succeed.
  async waitJob(jobId) {
    await waitFor(async () => (await this.call('ListAsynJobs', { 'JobIds.1': jobId })).Jobs[0].Status === 'Succeeded',
      10000, `job ${jobId}`);
  }

  // A running listener on a new load balancer: `protocol` HTTPS (with `certificateId`) or
  // HTTP on `port`, forwarding to a new server group holding 127.0.0.1:`backendPort` when
  // given. Resolves with the ids and the port it really listens on.
  async listener({ protocol = 'HTTP', port = 80, certificateId, backendPort } = {}) {
    const { LoadBalancerId: loadBalancerId, JobId: lbJob } = await this.call('CreateLoadBalancer',
      { LoadBalancerName: 'test-lb', LoadBalancerEdition: 'Standard' });
    await this.waitJob(lbJob);
    const params = { LoadBalancerId: loadBalancerId, ListenerProtocol: protocol, ListenerPort: port };
    if (certificateId) params['Certificates.1.CertificateId'] = certificateId;
    let serverGroupId;
    if (backendPort !== undefined) {
      const group = await this.call('CreateServerGroup',
        { ServerGroupName: 'test-group', ServerGroupType: 'Ip', VpcId: 'vpc-1', Protocol: 'HTTP' });
      serverGroupId = group.ServerGroupId;
      await this.waitJob(group.JobId);
      await this.waitJob((await this.call('AddServersToServerGroup', {
        ServerGroupId: serverGroupId, 'Servers.1.ServerId': '127.0.0.1', 'Servers.1.ServerIp': '127.0.0.1',
        'Servers.1.ServerType': 'Ip', 'Servers.1.Port': backendPort,
      })).JobId);
      params['DefaultActions.1.Type'] = 'ForwardGroup';
      params['DefaultActions.1.ForwardGroupConfig.ServerGroupTuples.1.ServerGroupId'] = serverGroupId;
    }
    const { ListenerId: listenerId, JobId } = await this.call('CreateListener', params);
    await this.waitJob(JobId);
    return { loadBalancerId, listenerId, serverGroupId, port: port + this.portOffset };
  }

  // Turns on the group's active HTTP health check of "/": every second, 2 to change state.
  async enableHealthCheck(serverGroupId) {
    await this.waitJob((await this.call('UpdateServerGroupAttribute', {
      ServerGroupId: serverGroupId, 'HealthCheckConfig.HealthCheckEnabled': 'true',
      'HealthCheckConfig.HealthCheckProtocol': 'HTTP', 'HealthCheckConfig.HealthCheckPath': '/',
      'HealthCheckConfig.HealthCheckInterval': '1', 'HealthCheckConfig.HealthyThreshold': '2',
      'HealthCheckConfig.UnhealthyThreshold': '2', 'HealthCheckConfig.HealthCheckCodes.1': 'http_2xx',
    })).JobId);
  }

  // Runs `openalb <args>` against this server's data dir and returns stdout.
  cli(...args) {
    return execFileSync(BIN, [...args, '--data-dir', this.dataDir], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  }
}

// The subject CN of the certificate `host`:`port` serves for `servername`.
function servedName(host, port, servername) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host, port, servername, rejectUnauthorized: false }, () => {
      const cn = socket.getPeerCertificate().subject.CN;
      socket.destroy();
      resolve(cn);
    });
    socket.once('error', reject);
  });
}

// A listener's certificates as { id: Status }.
async function listenerCertificates(server, listenerId) {
  const body = await server.call('ListListenerCertificates', { ListenerId: listenerId, MaxResults: 100 });
  return Object.fromEntries(body.Certificates.map((c) => [c.CertificateId, c.Status]));
}

function assertKilled(result) {
  if (result.signal !== 'SIGKILL') throw new Error(`expected SIGKILL, got ${JSON.stringify(result)}`);
}

// A self-signed server certificate for `commonName` (also its SAN), ECDSA P-256 or RSA-2048,
// made by the openssl command line, valid for `days` (30) days.
function makeCertificate(commonName, { rsa = false, days = 30 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openalb-cert-'));
  const key = rsa ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  try {
    execFileSync('openssl', ['req', '-x509', ...key,
      '-nodes', '-subj', `/CN=${commonName}`, '-addext', `subjectAltName=DNS:${commonName}`,
      '-days', String(days), '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')],
    { stdio: 'ignore' });
    return {
      cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8'),
      key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'),
    };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

// An SDK request model built from ALB's wire shape ({Type, HostConfig: {Values: [...]}}), the
// nested classes found by name as the SDK defines them (CreateRuleRequestRuleConditionsHostConfig).
function model(className, wire) {
  const Model = Alb[className];
  assert.ok(Model, `the SDK has no model ${className}`);
  const byWire = Object.fromEntries(Object.entries(Model.names()).map(([field, name]) => [name, field]));
  const init = {};
  for (const [name, value] of Object.entries(wire)) {
    const field = byWire[name];
    assert.ok(field, `${className} has no field ${name}`);
    if (Array.isArray(value)) {
      init[field] = value.map((item) => (typeof item === 'object' ? model(className + name, item) : item));
    } else if (value !== null && typeof value === 'object') {
      init[field] = model(className + name, value);
    } else {
      init[field] = value;
    }
  }
  return new Model(init);
}

// Runs `fn` and returns the error it throws; fails the test if it does not throw.
async function rejection(fn) {
  try {
    await fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected the call to fail, and it succeeded');
}

module.exports = {
  Server, Alb, OpenApi, waitFor, rejection, model, makeCertificate, servedName, listenerCertificates, BIN,
};
