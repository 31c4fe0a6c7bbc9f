import { readFileSync } from 'node:fs';
// Summarise a V8 heap snapshot: count and self size per (type, name).
export function summarize(file) {
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  const m = snap.snapshot.meta; const nf = m.node_fields; const types = m.node_types[0];
  const N = nf.length; const ti = nf.indexOf('type'), ni = nf.indexOf('name'), si = nf.indexOf('self_size');
  const out = new Map(); const nodes = snap.nodes, strings = snap.strings;
  for (let i = 0; i < nodes.length; i += N) {
    const type = types[nodes[i + ti]]; let name = strings[nodes[i + ni]];
    if (type === 'string' || type === 'concatenated string' || type === 'sliced string') name = '(string)';
    if (type === 'code') name = '(code)';
    if (name.length > 60) name = name.slice(0, 60);
    const k = type + ' ' + name; const e = out.get(k) ?? { n: 0, size: 0 }; e.n++; e.size += nodes[i + si]; out.set(k, e);
  }
  return out;
}
const [a, b] = process.argv.slice(2);
const A = summarize(a), B = summarize(b);
const rows = [...B].map(([k, v]) => { const o = A.get(k) ?? { n: 0, size: 0 }; return [k, v.n - o.n, v.size - o.size, v.n, v.size]; });
rows.sort((x, y) => y[2] - x[2]);
for (const r of rows.slice(0, 40)) console.log(String(r[2]).padStart(10), String(r[1]).padStart(8), String(r[4]).padStart(10), String(r[3]).padStart(8), r[0]);
