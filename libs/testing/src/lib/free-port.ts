import { createServer } from 'node:net';

// Ports come from below the kernel's ephemeral range (32768+ on Linux, 49152+ elsewhere). A port the OS hands out
// for listen(0) is free only until another process of a parallel run (a Kafka client's outgoing socket, a
// service on port 0) is given the same number, and the service a test starts on it then dies on EADDRINUSE.
const LOWEST = 20_000;
const RANGE = 12_000;

/** A TCP port nothing listens on right now (on any address), for a process a test starts; never one of `exclude`. */
export async function freePort(exclude: readonly number[] = []): Promise<number> {
  for (;;) {
    const port = LOWEST + Math.floor(Math.random() * RANGE);
    if (!exclude.includes(port) && (await canListen(port))) return port;
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });
}
