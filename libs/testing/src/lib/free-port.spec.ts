import { createServer, type Server } from 'node:net';
import { freePort, freePortRange } from './free-port';

describe('freePort', () => {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('gives a port below the ephemeral range that a server can listen on', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThanOrEqual(20_000);
    expect(port).toBeLessThan(32_000);
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, resolve);
    });
  });

  it('gives only ports of the range it is asked for', async () => {
    const ports = new Set<number>();
    for (let i = 0; i < 50; i++) ports.add(await freePort([], { from: 32_100, to: 32_103 }));
    expect([...ports].every((port) => port >= 32_100 && port <= 32_103)).toBe(true);
    expect(ports.size).toBeGreaterThan(1);
  });

  it('never gives a port that is excluded or already taken', async () => {
    const taken = await freePort();
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(taken, resolve));
    const excluded = await freePort();
    for (let i = 0; i < 200; i++) {
      const port = await freePort([excluded]);
      expect(port).not.toBe(taken);
      expect(port).not.toBe(excluded);
    }
  });

  it('gives a run of free ports, skipping one where a port of the run is taken', async () => {
    const taken = await freePort([], { from: 32_201, to: 32_201 });
    const server = createServer();
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(taken, resolve));

    const base = await freePortRange(3, { from: 32_199, to: 32_206 });

    // 32199-32201 and 32200-32202 hold the taken port; the runs from 32202 (to 32204) on are free.
    expect(base).toBeGreaterThanOrEqual(32_202);
    expect(base + 2).toBeLessThanOrEqual(32_206);
  });
});
