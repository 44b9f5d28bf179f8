// Every make target installs what it needs, and only that: the plans make prints (dry run,
// every target forced) show `make bench` installing the benchmark packages and the Node
// clients before the first benchmark script, and `make run` installing none of the test or
// benchmark tools.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const plan = (target) => execFileSync('make', ['-n', '-B', target], { cwd: root, encoding: 'utf8' }).split('\n');

test('make bench installs its packages and the Node clients before benchmarking', () => {
  const lines = plan('bench');
  const first = lines.findIndex((l) => l.includes('bash bench/run'));
  assert.ok(first > 0, lines.join('\n'));
  const before = lines.slice(0, first).join('\n');
  assert.match(before, /scripts\/setup bench/);
  assert.match(before, /npm ci/);
});

test('make run installs only what the server needs', () => {
  const lines = plan('run');
  const setup = lines.filter((l) => l.includes('scripts/setup'));
  assert.ok(setup.length > 0);
  for (const line of setup) assert.match(line.trim(), /^(@?bash )?scripts\/setup$/, line);
  assert.ok(!lines.some((l) => /npm ci/.test(l)), lines.join('\n'));
  // What that setup installs: the toolchain and libraries, no benchmark anchor or test tool.
  const packages = execFileSync('bash', ['scripts/setup', '--list'], { cwd: root, encoding: 'utf8' }).split('\n');
  assert.ok(packages.includes('cmake') && packages.includes('libssl-dev'), packages.join(' '));
  for (const tool of ['haproxy', 'nginx-light', 'wrk', 'clang-16', 'nodejs']) {
    assert.ok(!packages.includes(tool), `make run would install ${tool}`);
  }
});
