#!/usr/bin/env node
// Makes `npm start` and `npm test` work on a fresh clone: checks the Node version, then installs exactly what
// package-lock.json pins (npm ci) when node_modules is missing or was installed from another lock file.
// Node built-ins only: this runs before any dependency exists.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const MIN_NODE = [20, 19];

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < MIN_NODE[0] || (major === MIN_NODE[0] && minor < MIN_NODE[1])) {
  console.error(`Node ${MIN_NODE.join('.')} or newer is required; this is ${process.versions.node}.`);
  process.exit(1);
}

const lock = readFileSync(join(root, 'package-lock.json'));
const wanted = createHash('sha256').update(lock).digest('hex');
const stamp = join(root, 'node_modules', '.smartlink-lock-sha256');
const installed = existsSync(stamp) ? readFileSync(stamp, 'utf8').trim() : null;

if (installed !== wanted) {
  console.error(
    installed === null
      ? '[deps] node_modules is missing or unmarked: running npm ci (a few minutes the first time)...'
      : '[deps] package-lock.json changed since the last install: running npm ci...',
  );
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error('[deps] npm ci failed; see the output above.');
    process.exit(result.status ?? 1);
  }
  writeFileSync(stamp, `${wanted}\n`);
}
