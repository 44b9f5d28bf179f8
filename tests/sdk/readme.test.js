// The README's first SDK call runs as pasted: it is taken from the README itself, saved as a
// CommonJS file beside a data directory, and run with node against a real server (only the
// port is changed, since the test's server listens on a free one).
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Server } = require('./harness');

test("the README's first call runs as pasted", async (t) => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const snippet = /## Your first call[\s\S]*?```js\n([\s\S]*?)```/.exec(readme)[1];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openalb-readme-'));
  const server = await Server.start({ dataDir: path.join(dir, 'openalb-data') });
  t.after(async () => {
    await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  fs.writeFileSync(path.join(dir, 'first.js'), snippet.replace('127.0.0.1:8080', server.endpoint));
  const out = execFileSync('node', ['first.js'], {
    cwd: dir, encoding: 'utf8', env: { ...process.env, NODE_PATH: path.join(__dirname, 'node_modules') },
  });
  assert.match(out, /regionId: 'cn-hangzhou'/);
});

test("every setting of openalb serve is in the README's configuration table", () => {
  const readme = fs.readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
  const table = /## Configuration[\s\S]*?\n\n(\|[\s\S]*?)\n\n/.exec(readme)[1];
  const help = execFileSync(require('./harness').BIN, ['serve', '--help'], { encoding: 'utf8' });
  const flags = [...new Set(help.match(/--[a-z][a-z-]+/g))].filter((f) => !['--help', '--config'].includes(f));
  assert.ok(flags.length > 30, flags.join(' '));
  const missing = flags.filter((flag) => !new RegExp(`\`${flag}\`[,| ]`).test(table));
  assert.deepEqual(missing, [], `not in the README's table: ${missing.join(' ')}`);
});
