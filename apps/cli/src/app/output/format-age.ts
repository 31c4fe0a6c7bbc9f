const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * A duration as an operator reads it at a glance, two units at most: `45s`, `2m05s`, `3h10m`, `2d04h`. A negative
 * one (the database clock ahead of this machine's) reads `0s`.
 */
export function formatAge(ms: number): string {
  const t = Math.max(0, Math.floor(ms));
  if (t < MINUTE) return `${Math.floor(t / SECOND)}s`;
  if (t < HOUR) return `${Math.floor(t / MINUTE)}m${pad(Math.floor((t % MINUTE) / SECOND))}s`;
  if (t < DAY) return `${Math.floor(t / HOUR)}h${pad(Math.floor((t % HOUR) / MINUTE))}m`;
  return `${Math.floor(t / DAY)}d${pad(Math.floor((t % DAY) / HOUR))}h`;
}
