import { LogType, type LogEntity } from '@smartlink/rm-tables';
import { waitFor } from '@smartlink/testing';
import type { SimMessage } from '@smartlink/testing';
import { TENANT, TestSystem, type DatabaseKind } from '@smartlink/system-harness';

const COMMANDS = ['DemoPing', 'DemoEmployeeUpdated', 'DemoInvoiceIssued'];
const SUCCEEDING = 300;
const FAILING = 12;

/** The i-th message meant to succeed: the three commands in turn, both envelope styles. */
function succeeding(i: number): SimMessage {
  const type = COMMANDS[i % COMMANDS.length] as string;
  const data = { n: i, employee: `E${i}`, amount: i * 10 };
  return i % 2 === 0 ? { style: 'cloudevents', type, data } : { style: 'totvs', type, content: data };
}

/** An invoice whose first attempt fails on purpose (apps/example-segment: `failAttempts`). */
function failingOnce(i: number): SimMessage {
  return { style: 'cloudevents', type: 'DemoInvoiceIssued', data: { n: i, failAttempts: 1 } };
}

/** The rows of GTOTVSLINKLOG by message id. */
function byMessage(rows: readonly LogEntity[]): Map<string, LogEntity[]> {
  const grouped = new Map<string, LogEntity[]>();
  for (const row of rows) {
    if (row.messageId === null) continue;
    grouped.set(row.messageId, [...(grouped.get(row.messageId) ?? []), row]);
  }
  return grouped;
}

const fromExecutor = (row: LogEntity) => row.debug?.startsWith('source: executor') ?? false;

// The services log to <ns>.logs; the log-writer turns that into GTOTVSLINKLOG, which is where RM's operators look.
describe.each<DatabaseKind>(['postgres', 'sqlite'])(
  'execution logs in GTOTVSLINKLOG, end to end, on %s',
  (database) => {
    let system: TestSystem;
    const fail = (error: Error) => Promise.reject(new Error(`${error.message}\n${system.logs()}`));

    beforeAll(async () => {
      system = await TestSystem.start({ database, commands: COMMANDS });
    });

    afterAll(async () => {
      await system?.stop();
    });

    it('holds the info log of every message that succeeded and the error log of every failed attempt', async () => {
      const good = (
        await system.sim.enqueue(
          TENANT,
          Array.from({ length: SUCCEEDING }, (_, i) => succeeding(i)),
        )
      ).map((m) => m.id);
      const bad = (
        await system.sim.enqueue(
          TENANT,
          Array.from({ length: FAILING }, (_, i) => failingOnce(i)),
        )
      ).map((m) => m.id);

      const logs = await waitFor(
        async () => {
          const grouped = byMessage(await system.tables.logs.findByMessageIds([...good, ...bad]));
          const done =
            good.every((id) => grouped.get(id)?.some((r) => r.type === LogType.Info && fromExecutor(r))) &&
            bad.every((id) => grouped.get(id)?.some((r) => r.type === LogType.Error && fromExecutor(r)));
          return done ? grouped : undefined;
        },
        { description: 'the info and error logs in GTOTVSLINKLOG', timeoutMs: 180_000, intervalMs: 500 },
      ).catch(fail);

      for (const id of good) {
        const rows = logs.get(id) ?? [];
        // The executor's info log of the success; no error for a message that never failed.
        expect({
          id,
          info: rows.some((r) => r.type === LogType.Info && /succeeded/.test(r.message)),
        }).toEqual({
          id,
          info: true,
        });
        expect({ id, errors: rows.filter((r) => r.type === LogType.Error).length }).toEqual({
          id,
          errors: 0,
        });
      }
      for (const id of bad) {
        const errors = (logs.get(id) ?? []).filter((r) => r.type === LogType.Error && fromExecutor(r));
        // The failed first attempt, with the segment's error text. (A retry, if it came already, logs apart.)
        expect({
          id,
          error: errors.some((r) => /attempt 1\b/.test(r.message) && /not payable/.test(r.message)),
        }).toEqual({ id, error: true });
      }
      // The segment's own handler logs land beside the executor's, under the same message id.
      const invoices = good.filter((_, i) => COMMANDS[i % COMMANDS.length] === 'DemoInvoiceIssued');
      await waitFor(
        async () => {
          const grouped = byMessage(await system.tables.logs.findByMessageIds(invoices));
          return invoices.every((id) =>
            grouped.get(id)?.some((r) => r.debug?.startsWith('source: segment:')),
          );
        },
        { description: "the segment's handler logs in GTOTVSLINKLOG", timeoutMs: 60_000, intervalMs: 500 },
      ).catch(fail);
    });

    it('stops the log-writer on SIGTERM within the grace period', async () => {
      const exits = await system.stop();
      expect(exits['log-writer']).toEqual({ code: 0, signal: null });
    });
  },
);
