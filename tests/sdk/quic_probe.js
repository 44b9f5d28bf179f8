// The QUIC tests' client: tests/support/quic_probe.cc (openalb_quic_probe), an HTTP/3 client on
// the server's own libraries that reports which certificate it was shown, driven from Node.
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { BIN, waitFor } = require('./harness');

const PROBE = process.env.OPENALB_QUIC_PROBE || path.join(path.dirname(BIN), 'tests', 'openalb_quic_probe');
const probeMissing = !fs.existsSync(PROBE) && `${PROBE} is not built`;

// Runs the probe (asynchronously: the test's own backends answer meanwhile); `send` writes a
// line to it (its --stdin mode), `waitLines` waits for its JSON lines.
function probe(port, sni, args = []) {
  const child = spawn(PROBE, ['127.0.0.1', String(port), sni, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  const closed = new Promise((resolve) => child.on('close', (status) => resolve({ status, stdout, stderr })));
  return {
    child,
    closed,
    // The JSON lines printed so far.
    lines: () => stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l)),
    // Waits until `count` lines were printed.
    async waitLines(count) {
      await waitFor(() => stdout.split('\n').filter(Boolean).length >= count, 10000, `${count} lines from the probe (${stderr})`);
      return this.lines();
    },
    send: (line) => child.stdin.write(`${line}\n`),
  };
}

// One connection: what was presented, then the answers to `gets`.
async function presented(port, sni, { sigalgs, gets = [], extra = [] } = {}) {
  const args = [...extra];
  if (sigalgs) args.push('--sigalgs', sigalgs);
  for (const g of gets) args.push('--get', g);
  const p = probe(port, sni, args);
  p.child.stdin.end();
  const { stdout, stderr } = await p.closed;
  const lines = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  assert.ok(lines.length > 0, stderr);
  return { hello: lines[0], answers: lines.slice(1) };
}

module.exports = { PROBE, probe, presented, probeMissing };
