// `openalb top` as an operator runs it: in a real terminal (tmux), against a running server's
// admin address, its listener row shows the requests per second real traffic makes, the 5xx
// among them, and latency percentiles; `q` quits it and gives the terminal back. `--once` prints
// one frame for scripts; an admin token it lacks, or no server there, is a clear error.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { execFileSync, spawnSync } = require('node:child_process');
const { Server, waitFor, BIN } = require('./harness');

const hasTmux = spawnSync('tmux', ['-V']).status === 0;

function tmux(socket, ...args) {
  return spawnSync('tmux', ['-L', socket, ...args], { encoding: 'utf8' });
}

async function backendServer(t) {
  const backend = http.createServer((req, res) => {
    res.statusCode = req.url === '/fail' ? 503 : 200;
    res.end('ok');
  });
  await new Promise((r) => backend.listen(0, '127.0.0.1', r));
  t.after(() => backend.close());
  return backend.address().port;
}

function load(port) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 4 });
  let stopped = false;
  const one = (path) => new Promise((resolve) => {
    http.get({ host: '127.0.0.1', port, path, agent }, (res) => { res.resume(); res.on('end', resolve); }).on('error', resolve);
  });
  (async () => {
    while (!stopped) await Promise.all([one('/'), one('/'), one('/'), one('/fail')]);
  })();
  return () => { stopped = true; agent.destroy(); };
}

test('openalb top in a terminal shows a listener\'s live rates, and q quits', { skip: !hasTmux && 'tmux is not installed (scripts/setup test installs it)' }, async (t) => {
  const server = await Server.start();
  t.after(() => server.stop());
  const { listenerId, port } = await server.listener({ protocol: 'HTTP', port: 80, backendPort: await backendServer(t) });
  const stop = load(port);
  t.after(stop);
  const socket = `openalb-top-${process.pid}`;
  t.after(() => tmux(socket, 'kill-server'));
  const started = tmux(socket, 'new-session', '-d', '-x', '200', '-y', '40',
    `${BIN} top --admin 127.0.0.1:${server.adminPort} --interval 500ms`);
  assert.equal(started.status, 0, started.stderr);
  let screen = '';
  let row;
  await waitFor(() => {
    screen = tmux(socket, 'capture-pane', '-p').stdout;
    row = screen.split('\n').find((l) => l.startsWith(listenerId));
    return row && Number(row.split(/\s+/)[3]) > 0;
  }, 15000, 'a request rate in top\'s listener row');
  const [, protocol, , requests, , errors, p50, p99] = row.split(/\s+/);
  assert.equal(protocol, 'HTTP');
  assert.ok(Number(requests) > 0, row);
  assert.ok(Number(errors) > 0, `the 503s show as 5xx: ${row}`);
  assert.ok(Number(requests) > Number(errors), row);
  assert.ok(Number(p50) > 0 && Number(p99) >= Number(p50), `latency percentiles: ${row}`);
  assert.match(screen, /^openalb top {2}127\.0\.0\.1:\d+ .* every 0\.5s, q quits$/m);
  tmux(socket, 'send-keys', 'q');
  await waitFor(() => tmux(socket, 'has-session').status !== 0, 5000, 'top to quit on q');
});

test('openalb top --once prints one frame; a missing token or server is a clear error', async (t) => {
  const token = 'top-token-0123456789';
  const server = await Server.start({ args: ['--admin-token', token] });
  t.after(() => server.stop());
  const { listenerId } = await server.listener({ protocol: 'HTTP', port: 80, backendPort: await backendServer(t) });
  const frame = execFileSync(BIN, ['top', '--admin', `127.0.0.1:${server.adminPort}`, '--admin-token', token, '--once', '--interval', '200ms'], { encoding: 'utf8' });
  assert.match(frame, /rates over 0\.2s$/m);
  assert.match(frame, new RegExp(`^${listenerId} +HTTP +0\\.0 +0\\.0 `, 'm'));
  const noToken = spawnSync(BIN, ['top', '--admin', `127.0.0.1:${server.adminPort}`, '--once'], { encoding: 'utf8', env: { ...process.env, OPENALB_ADMIN_TOKEN: '' } });
  assert.equal(noToken.status, 1);
  assert.match(noToken.stderr, /admin token: give --admin-token/);
  const nothing = spawnSync(BIN, ['top', '--admin', '127.0.0.1:1', '--once'], { encoding: 'utf8' });
  assert.equal(nothing.status, 1);
  assert.match(nothing.stderr, /cannot read http:\/\/127\.0\.0\.1:1\/metrics/);
});
