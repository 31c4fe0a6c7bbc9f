import { waitFor } from '@smartlink/testing';
import type { SimMessage } from '@smartlink/testing';
import { TENANT, TestSystem, type DatabaseKind } from '@smartlink/system-harness';

const COMMANDS = ['DemoPing', 'DemoEmployeeUpdated', 'DemoInvoiceIssued'];
const MESSAGES = 1_000;
const ENQUEUE_BATCH = 250;

/** The i-th test message: the three commands in turn, both envelope styles, a JSON payload each handler accepts. */
function message(i: number): SimMessage {
  const type = COMMANDS[i % COMMANDS.length] as string;
  const data = { n: i, employee: `E${i}`, amount: i * 10, note: 'ação 日本' };
  return i % 2 === 0 ? { style: 'cloudevents', type, data } : { style: 'totvs', type, content: data };
}

describe.each<DatabaseKind>(['postgres', 'sqlite'])('downstream, end to end, on %s', (database) => {
  let system: TestSystem;

  beforeAll(async () => {
    system = await TestSystem.start({ database, commands: COMMANDS });
  });

  afterAll(async () => {
    await system?.stop();
  });

  it('carries 1,000 cloud messages over three commands through the segment into the history', async () => {
    const enqueued: { id: string; messageId: string }[] = [];
    for (let start = 0; start < MESSAGES; start += ENQUEUE_BATCH) {
      const batch = Array.from({ length: Math.min(ENQUEUE_BATCH, MESSAGES - start) }, (_, k) =>
        message(start + k),
      );
      enqueued.push(...(await system.sim.enqueue(TENANT, batch)));
    }
    const ids = enqueued.map((m) => m.id);
    expect(new Set(ids).size).toBe(MESSAGES);

    // Every message was acked at the simulator...
    const acked = await waitFor(
      async () => {
        const result = await system.sim.acked(TENANT);
        return result.total >= MESSAGES ? result : undefined;
      },
      { description: `${MESSAGES} acks at the simulator`, timeoutMs: 180_000, intervalMs: 500 },
    ).catch((error: Error) => Promise.reject(new Error(`${error.message}\n${system.logs()}`)));
    expect(new Set(acked.entries.map((a) => a.messageId))).toEqual(new Set(enqueued.map((m) => m.messageId)));

    // ...reached the segment handler, succeeded, and has exactly one success row in GTOTVSLINKMESSAGEEXEC...
    const successes = await waitFor(
      async () => {
        const rows = await system.successRows(ids);
        return rows.length >= MESSAGES ? rows : undefined;
      },
      {
        description: `${MESSAGES} success rows in GTOTVSLINKMESSAGEEXEC`,
        timeoutMs: 180_000,
        intervalMs: 500,
      },
    ).catch((error: Error) => Promise.reject(new Error(`${error.message}\n${system.logs()}`)));
    expect(successes).toHaveLength(MESSAGES);
    expect(new Set(successes.map((r) => r.messageId))).toEqual(new Set(ids));
    expect(successes.every((r) => r.attempt === 1)).toBe(true);
    expect((await system.segmentStats()).distinctSucceeded).toBe(MESSAGES);

    // ...and GTOTVSLINKMESSAGE holds nothing: a row is deleted when its message succeeds.
    await waitFor(async () => (await system.tables.messages.findByIds(ids)).length === 0, {
      description: 'GTOTVSLINKMESSAGE to be empty',
      timeoutMs: 30_000,
    });
    // The DemoPing replies travel up to the cloud meanwhile; once sent, their rows are gone too.
    await waitFor(async () => (await system.tables.messages.countUndone()) === 0, {
      description: 'no message left undone, the replies sent included',
      timeoutMs: 60_000,
    });
  });

  it('stops every service on SIGTERM within the grace period, without SIGKILL', async () => {
    const exits = await system.stop();
    // Code 0 is the clean path: every shutdown hook done. Past the 20 s deadline a service exits with code 1; a
    // service that hung past the harness's grace would show SIGKILL.
    expect(Object.keys(exits)).toEqual(expect.arrayContaining(['poller', 'executor', 'example-segment']));
    for (const [service, exit] of Object.entries(exits)) {
      expect({ service, ...exit }).toEqual({ service, code: 0, signal: null });
    }
  });
});
