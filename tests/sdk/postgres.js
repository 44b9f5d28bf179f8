// A throw-away PostgreSQL for the SDK tests (scripts/test-postgres): initdb into a temp dir,
// a private port, removed by stop(). newDatabase() gives each server a database of its own.
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const SCRIPT = path.join(__dirname, '..', '..', 'scripts', 'test-postgres');

class Postgres {
  static start({ durable = false } = {}) {
    const pg = new Postgres();
    pg.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openalb-pg-'));
    pg.url = execFileSync(SCRIPT, ['start', pg.dir, ...(durable ? ['--durable'] : [])], { encoding: 'utf8' }).trim();
    pg.count = 0;
    return pg;
  }

  // A new empty database; resolves with its URL.
  newDatabase() {
    const name = `sdk${++this.count}`;
    execFileSync('psql', [this.url, '-qc', `CREATE DATABASE ${name}`]);
    return this.url.replace(/\/postgres$/, `/${name}`);
  }

  // Stops the server (immediate: as a crash would) and keeps its files for start().
  halt(mode = 'fast') {
    execFileSync(SCRIPT, ['stop', this.dir, mode]);
  }

  // Starts it again on the same port after halt().
  resume() {
    execFileSync(SCRIPT, ['restart', this.dir]);
  }

  stop() {
    execFileSync(SCRIPT, ['stop', this.dir, 'immediate']);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

// Another node's data directory: its own, holding the installation's sealing key (and, for
// the CLI and the harness, its credentials).
function nodeDataDir(from) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'openalb-node-'));
  for (const file of ['secret.key', 'credentials.json']) fs.copyFileSync(path.join(from, file), path.join(dir, file));
  return dir;
}

module.exports = { Postgres, nodeDataDir };
