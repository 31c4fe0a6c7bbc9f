#!/usr/bin/env node
// Usage: node cpuwin.mjs [seconds, 60]
// Written for the CPU-per-message investigation of 2026-12-07 (README.md here); Linux only (/proc). CPU seconds
// (utime + stime, USER_HZ 100) used over a window by each service (command line dist/apps/<name>/main.js), the Kafka
// broker, PostgreSQL's processes and the bench, from /proc/<pid>/stat at its start and end; a process that started
// within the window counts from 0. One JSON line.
import { readdirSync, readFileSync } from 'node:fs';
const HZ = 100;
function snap() {
  const m = new Map();
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let cmd, stat;
    try { cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' '); stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { continue; }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const t = (Number(f[11]) + Number(f[12])) / HZ;
    let name = null;
    const app = /dist\/apps\/([\w-]+)\/main\.js/.exec(cmd);
    if (app) name = app[1];
    else if (cmd.includes('kafka.Kafka')) name = 'kafka';
    else if (cmd.startsWith('postgres')) name = 'postgres';
    else if (cmd.includes('dist/apps/bench')) name = 'bench';
    if (!name) continue;
    m.set(pid, { name, t });
  }
  return m;
}
const s = Number(process.argv[2] ?? 60);
const a = snap();
await new Promise((r) => setTimeout(r, s * 1000));
const b = snap();
const by = {};
for (const [pid, v] of b) { const d = v.t - (a.get(pid)?.t ?? 0); by[v.name] = (by[v.name] ?? 0) + d; }
const total = Object.values(by).reduce((x, y) => x + y, 0);
console.log(JSON.stringify({ windowS: s, cpuS: Object.fromEntries(Object.entries(by).map(([k, v]) => [k, Math.round(v * 10) / 10])), totalS: Math.round(total * 10) / 10 }));
