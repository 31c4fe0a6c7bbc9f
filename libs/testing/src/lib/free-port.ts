import { createServer } from 'node:net';

// Ports come from below the kernel's ephemeral range (32768+ on Linux, 49152+ elsewhere). A port the OS hands out
// for listen(0) is free only until another process of a parallel run (a Kafka client's outgoing socket, a
// service on port 0) is given the same number, and the service a test starts on it then dies on EADDRINUSE.
const BELOW_EPHEMERAL: PortRange = { from: 20_000, to: 31_999 };

/** TCP ports from `from` to `to`, both included. */
export interface PortRange {
  readonly from: number;
  readonly to: number;
}

/**
 * A TCP port nothing listens on right now (on any address), for a process a test starts; never one of `exclude`.
 * Taken from `range` (default 20000-31999), e.g. the ports a test suite was given for its own brokers.
 */
export async function freePort(
  exclude: readonly number[] = [],
  range: PortRange = BELOW_EPHEMERAL,
): Promise<number> {
  for (;;) {
    const port = range.from + Math.floor(Math.random() * (range.to - range.from + 1));
    if (!exclude.includes(port) && (await canListen(port))) return port;
  }
}

/**
 * The first of `count` consecutive free ports (below the ephemeral range), for a process that takes a block of
 * ports from one base, e.g. a Kafka cluster of several nodes (tools/kafka `cluster --base-port`).
 */
export async function freePortRange(count: number, range: PortRange = BELOW_EPHEMERAL): Promise<number> {
  for (;;) {
    const base = await freePort([], { from: range.from, to: range.to - count + 1 });
    let free = true;
    for (let port = base + 1; free && port < base + count; port += 1) free = await canListen(port);
    if (free) return base;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}
