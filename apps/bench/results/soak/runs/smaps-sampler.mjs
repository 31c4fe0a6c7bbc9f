#!/usr/bin/env node
// Usage: node smaps-sampler.mjs <out.jsonl> [seconds between readings, 30] [command-line pattern, dist/apps/]
// Written for the soak investigation of 2026-12-07 (runs/README.md); Linux only (/proc).
// Every N s, for each Node service process of a run (command line contains dist/apps/<name>/main.js), read
// /proc/<pid>/smaps and sum Rss by kind of mapping, to see where resident memory grows when V8's heap does not:
//   brk      the [heap] mapping (glibc's main arena)
//   arena    anonymous mappings inside a 64 MiB-aligned block whose mappings add up to 64 MiB (glibc thread arenas)
//   anonBig  other anonymous mappings >= 1 MiB (V8's heap pages and code, large malloc'd blocks, Buffers)
//   anonSmall other anonymous mappings < 1 MiB
//   file     file-backed mappings (code of node, libraries)
// Output: one JSON line per process per reading.
import { readFileSync, readdirSync, appendFileSync } from 'node:fs';
const [out, everyS = '30', pattern = 'dist/apps/'] = process.argv.slice(2);
const MB64 = 64n * 1024n * 1024n;
function classify(pid) {
  const text = readFileSync(`/proc/${pid}/smaps`, 'utf8');
  const maps = [];
  let cur = null;
  for (const line of text.split('\n')) {
    const head = /^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (head) {
      cur = { start: BigInt('0x' + head[1]), end: BigInt('0x' + head[2]), perms: head[3], inode: head[4], name: head[5], rss: 0 };
      maps.push(cur);
    } else if (cur && line.startsWith('Rss:')) cur.rss = Number(line.split(/\s+/)[1]);
  }
  // glibc thread heaps: start aligned to 64 MiB; the heap's mappings (rw + reserved ---p) end at start + 64 MiB.
  const byBlock = new Map();
  for (const m of maps) if (m.name === '' && m.inode === '0') {
    const block = m.start - (m.start % MB64);
    if (!byBlock.has(block)) byBlock.set(block, []);
    byBlock.get(block).push(m);
  }
  const arenaMaps = new Set();
  for (const [block, ms] of byBlock) {
    const first = ms.find((m) => m.start === block);
    if (!first) continue;
    const size = ms.reduce((s, m) => s + (m.end - m.start), 0n);
    if (size === MB64 && ms.some((m) => m.perms.startsWith('---'))) ms.forEach((m) => arenaMaps.add(m));
  }
  const sum = { brk: 0, arena: 0, arenas: 0, anonBig: 0, anonSmall: 0, file: 0 };
  for (const m of maps) {
    if (m.name === '[heap]') sum.brk += m.rss;
    else if (arenaMaps.has(m)) { sum.arena += m.rss; if (!m.perms.startsWith('---')) sum.arenas += 1; }
    else if (m.inode !== '0' || m.name.startsWith('/')) sum.file += m.rss;
    else if (m.end - m.start >= 1024n * 1024n) sum.anonBig += m.rss;
    else sum.anonSmall += m.rss;
  }
  for (const k of ['brk', 'arena', 'anonBig', 'anonSmall', 'file']) sum[k] = Math.round(sum[k] / 1024); // MiB
  sum.rss = Math.round(Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/VmRSS:\s+(\d+)/)[1]) / 1024);
  sum.threads = Number(readFileSync(`/proc/${pid}/status`, 'utf8').match(/Threads:\s+(\d+)/)[1]);
  return sum;
}
function tick() {
  const at = new Date().toISOString();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmd;
    try { cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'); } catch { continue; }
    const main = cmd.find((a) => a.includes(pattern) && a.endsWith('/main.js'));
    if (!main || !cmd[0].endsWith('node')) continue;
    const name = main.split('/').at(-2);
    let env = '';
    try { env = readFileSync(`/proc/${pid}/environ`, 'utf8'); } catch { /* the process ended: no environment */ }
    const arenaMax = (env.split('\0').find((e) => e.startsWith('MALLOC_ARENA_MAX=')) ?? '').split('=')[1] ?? null;
    try { appendFileSync(out, JSON.stringify({ at, name, pid: Number(pid), arenaMax, ...classify(pid) }) + '\n'); } catch { /* the process ended between listing and reading */ }
  }
}
tick();
setInterval(tick, Number(everyS) * 1000);
