import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PrivateBroker, TENANT, TestSystem } from '@smartlink/system-harness';
import { freePort, waitFor } from '@smartlink/testing';

// Day one of an installation: the broker starts at the same moment as the services, as on a first install, so they
// meet it refusing connections, then creating its internal topics, loading its group coordinator and hosting the
// partitions of topics created a moment ago. No service may exit: each waits for Kafka (KAFKA_STARTUP_RETRY_MS) and
// becomes ready, and a message goes through end to end. Five times, each on a fresh broker (its own port and data
// directory) and a fresh database.

const RUNS = 5;
const COMMANDS = ['DemoPing', 'DemoEmployeeUpdated', 'DemoInvoiceIssued'];
const KAFKA_SERVICES = ['executor', 'retry-scheduler', 'log-writer', 'example-segment', 'poller'];
/** This suite's broker ports: 32000-32999 was set aside for it, less the kernel's ephemeral ports (32768 on). */
const BROKER_PORTS = { from: 32_000, to: 32_767 };
/** Above KAFKA_STARTUP_RETRY_MS (2 min): a service that gives up shows as an exit, not as a readiness timeout. */
const READY_TIMEOUT_MS = 150_000;

/** What the service logged of a broker not ready yet: refused connections (kafkajs) and start-up retries (ours). */
function unreadyBrokerMet(logFile: string): { refused: number; retries: number } {
  const lines = readFileSync(logFile, 'utf8').split('\n');
  return {
    refused: lines.filter((line) => line.includes('ECONNREFUSED')).length,
    retries: lines.filter((line) => line.includes('start-up tries')).length,
  };
}

describe('a first start: the services and a fresh broker started at the same moment', () => {
  it.each(Array.from({ length: RUNS }, (_, i) => i + 1))(
    `run %i of ${RUNS}: no service exits, all become ready, and a message goes through`,
    async (run) => {
      const dataDir = mkdtempSync(join(tmpdir(), 'smartlink-first-start-'));
      const port = await freePort([], BROKER_PORTS);
      const broker = new PrivateBroker(port, await freePort([port], BROKER_PORTS), join(dataDir, 'kafka'));
      const began = Date.now();
      let brokerUpAfterMs = 0;
      // The services are not kept waiting for the broker: both start now.
      const [brokerStart, systemStart] = await Promise.allSettled([
        broker.start().then(() => {
          brokerUpAfterMs = Date.now() - began;
        }),
        TestSystem.start({
          database: 'postgres',
          commands: COMMANDS,
          brokers: broker.brokers,
          startAtOnce: true,
          readyTimeoutMs: READY_TIMEOUT_MS,
        }),
      ]);
      const system = systemStart.status === 'fulfilled' ? systemStart.value : null;
      try {
        if (brokerStart.status === 'rejected') throw brokerStart.reason;
        if (!system) throw (systemStart as PromiseRejectedResult).reason;
        const readyAfterMs = Date.now() - began;

        const [enqueued] = await system.sim.enqueue(TENANT, [
          { style: 'cloudevents', type: 'DemoEmployeeUpdated', data: { run, employee: 'E1' } },
        ]);
        const id = enqueued?.id as string;
        await waitFor(async () => (await system.successRows([id])).length === 1, {
          description: 'the message executed by the segment and recorded',
          timeoutMs: 60_000,
          intervalMs: 200,
        }).catch((error: Error) => Promise.reject(new Error(`${error.message}\n${system.logs()}`)));
        const throughAfterMs = Date.now() - began;

        const notRunning = system.processes.filter((p) => !p.running).map((p) => p.spec.name);
        expect(notRunning).toEqual([]);
        for (const service of system.processes) {
          const response = await fetch(service.spec.readyUrl, { signal: AbortSignal.timeout(5_000) });
          expect({ service: service.spec.name, status: response.status }).toEqual({
            service: service.spec.name,
            status: 200,
          });
        }
        const met = Object.fromEntries(
          KAFKA_SERVICES.map((name) => [name, unreadyBrokerMet(system.service(name).logFile)]),
        );
        // Had the broker been ready before the services, this run would not have tested a first start.
        expect(Object.values(met).some(({ refused, retries }) => refused + retries > 0)).toBe(true);
        process.stdout.write(
          `[first-start.e2e] run ${run}: broker answering after ${seconds(brokerUpAfterMs)}, all services ready ` +
            `after ${seconds(readyAfterMs)}, the message through after ${seconds(throughAfterMs)}; refused ` +
            `connections and start-up retries per service ${JSON.stringify(met)}\n`,
        );

        const exits = await system.stop();
        for (const [service, exit] of Object.entries(exits)) {
          expect({ service, ...exit }).toEqual({ service, code: 0, signal: null });
        }
      } finally {
        await system?.stop();
        await broker.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    300_000,
  );
});

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
