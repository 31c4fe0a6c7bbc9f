#!/usr/bin/env node
// Makes `npm start` and `npm test` work on a fresh clone: installs exactly what package-lock.json pins (npm ci) when
// node_modules is missing or was installed from another lock file, then runs the script it is given on the Node the
// project pins. That Node comes from the npm registry's `node` package (a devDependency, node_modules/.bin/node), so
// the tests and `npm start` run the same Node line as the images (docker/Dockerfile) whatever Node the machine has;
// the machine's Node only has to be recent enough to run npm.
// Node built-ins only: this runs before any dependency exists.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const pinned = pkg.devDependencies.node;
const pinnedNode = join(root, 'node_modules', '.bin', 'node');

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
  const result = spawnSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    console.error('[deps] npm ci failed; see the output above.');
    process.exit(result.status ?? 1);
  }
  writeFileSync(stamp, `${wanted}\n`);
}

const version = spawnSync(pinnedNode, ['--version'], { encoding: 'utf8' });
if (version.status !== 0 || version.stdout.trim() !== `v${pinned}`) {
  console.error(
    `[deps] the project runs on Node ${pinned}, installed by npm ci as node_modules/.bin/node, but ` +
      (version.status === 0 ? `that file is Node ${version.stdout.trim()}` : 'it is missing or does not run') +
      '. Remove node_modules and run this again.',
  );
  process.exit(1);
}

const [script, ...args] = process.argv.slice(2);
if (script) {
  const child = spawn(pinnedNode, [join(root, script), ...args], { cwd: process.cwd(), stdio: 'inherit' });
  // Ctrl-C reaches the child from the terminal itself (same process group); a SIGTERM sent to this process only is
  // passed on.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => child.kill('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}
