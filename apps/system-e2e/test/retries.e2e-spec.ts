import { SmartLinkHeaders } from '@smartlink/messaging';
import { AttemptStatus, LogType, MessageStatus } from '@smartlink/rm-tables';
import { uniqueName, waitFor } from '@smartlink/testing';
import type { SimMessage } from '@smartlink/testing';
import { SYSTEM_SERVICES } from '@smartlink/system-harness';
import { TENANT, TestSystem, TopicObserver, type DatabaseKind } from '@smartlink/system-harness';

const COMMAND = 'DemoInvoiceIssued';
/** A fast policy for the run: 4 attempts, 200 ms, 400 ms, 800 ms between them (cap 1 s), ±10 % jitter. */
const POLICY = {
  retry: {
    maxAttempts: 4,
    strategy: 'exponential',
    initialDelayMs: 200,
    multiplier: 2,
    maxDelayMs: 1_000,
    jitter: 0.1,
  },
} as const;
const PER_KIND = 10;

/** What the example segment's DemoInvoiceIssued handler is told to do with a message (apps/example-segment). */
interface Kind {
  readonly name: string;
  /** Attempts 1..failAttempts fail retryably. */
  readonly failAttempts?: number;
  readonly fatal?: boolean;
}
const KINDS: readonly Kind[] = [
  { name: 'succeeds', failAttempts: 0 },
  { name: 'fails once', failAttempts: 1 },
  { name: 'fails twice', failAttempts: 2 },
  { name: 'fails three times', failAttempts: 3 }, // succeeds on the last allowed attempt
  { name: 'exhausted', failAttempts: 6 }, // dead after 4; redriven: fails 5 and 6, succeeds on 7
  { name: 'fatal', fatal: true },
];

type Event = Record<string, unknown>;

/** The delay the policy gives the retry after failed attempt `n` of a budget, before jitter. */
const baseDelay = (n: number) =>
  Math.min(POLICY.retry.maxDelayMs, POLICY.retry.initialDelayMs * 2 ** (n - 1));

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

function describeLateness(what: string, samples: readonly number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  return (
    `${what}: n=${sorted.length} p50=${percentile(sorted, 50)} ms p95=${percentile(sorted, 95)} ms ` +
    `p99=${percentile(sorted, 99)} ms max=${sorted.at(-1)} ms`
  );
}

// A segment that fails the first k attempts of some messages and fails fatally on others, with the whole system
// running as processes: the history rows, the DATATENTATIVAEXEC progression, dead letters, logs and a redrive.
describe.each<DatabaseKind>(['postgres', 'sqlite'])(
  'retries, dead letters and redrive, end to end, on %s',
  (database) => {
    const namespace = uniqueName('e2e_retries');
    let system: TestSystem;
    let observer: TopicObserver;
    const ids = new Map<string, string[]>();
    const idsOf = (kind: string) => ids.get(kind) ?? [];
    const events = (type: string, messageId?: string): Event[] =>
      observer
        .values(observer.topics.events)
        .filter((e) => e['type'] === type && (messageId === undefined || e['messageId'] === messageId));
    const fail = (error: Error) => Promise.reject(new Error(`${error.message}\n${system.logs()}`));

    beforeAll(async () => {
      system = await TestSystem.start({
        database,
        commands: [COMMAND],
        namespace,
        retryPolicy: POLICY,
      });
      observer = new TopicObserver(process.env['KAFKA_BROKERS'] ?? '', namespace);
      const { topics } = observer;
      // The command topic exists once the segment has started: it creates the topics of its commands.
      await Promise.all(
        [topics.events, topics.deadletter, topics.logs, topics.command(COMMAND)].map((t) =>
          observer.collect(t),
        ),
      );
    });

    afterAll(async () => {
      await observer?.stop();
      await system?.stop();
    });

    it('retries failed attempts on the policy, dead-letters the exhausted and the fatal, with history and logs', async () => {
      const messages: SimMessage[] = [];
      const kinds: string[] = [];
      for (const kind of KINDS) {
        for (let n = 0; n < PER_KIND; n += 1) {
          const data = kind.fatal ? { n, fatal: true } : { n, failAttempts: kind.failAttempts };
          messages.push({
            style: 'cloudevents',
            type: COMMAND,
            data: { ...data, invoice: `NF-${kind.name}-${n}` },
          });
          kinds.push(kind.name);
        }
      }
      const enqueued = await system.sim.enqueue(TENANT, messages);
      enqueued.forEach(({ id }, i) => ids.set(kinds[i] as string, [...idsOf(kinds[i] as string), id]));
      const retried = KINDS.filter((k) => !k.fatal && k.name !== 'exhausted').flatMap((k) => idsOf(k.name));

      // Every message that can succeed does, on attempt k + 1...
      await waitFor(async () => (await system.successRows(retried)).length >= retried.length, {
        description: `${retried.length} successes`,
        timeoutMs: 120_000,
        intervalMs: 500,
      }).catch(fail);
      // ...and the others are dead-lettered.
      const deadIds = [...idsOf('exhausted'), ...idsOf('fatal')];
      await waitFor(() => deadIds.every((id) => events('dead-lettered', id).length > 0), {
        description: `${deadIds.length} dead letters`,
        timeoutMs: 120_000,
        intervalMs: 500,
      }).catch(fail);

      // GTOTVSLINKMESSAGEEXEC: k failures then a success; 4 failures when exhausted; one fatal row when fatal.
      const history = await system.tables.attempts.findByMessageIds([...ids.values()].flat());
      const historyOf = (id: string) =>
        history.filter((h) => h.messageId === id).map((h) => [h.attempt, h.status]);
      const { Failure, Success, Fatal } = AttemptStatus;
      for (const kind of KINDS) {
        for (const id of idsOf(kind.name)) {
          const expected = kind.fatal
            ? [[1, Fatal]]
            : kind.name === 'exhausted'
              ? [1, 2, 3, 4].map((a) => [a, Failure])
              : [
                  ...Array.from({ length: kind.failAttempts ?? 0 }, (_, i) => [i + 1, Failure]),
                  [(kind.failAttempts ?? 0) + 1, Success],
                ];
          expect({ kind: kind.name, history: historyOf(id) }).toEqual({ kind: kind.name, history: expected });
        }
      }

      // GTOTVSLINKMESSAGE: the successes are gone, the dead stay with status dead and their attempts.
      expect(await system.tables.messages.findByIds(retried)).toEqual([]);
      const deadRows = await system.tables.messages.findByIds(deadIds);
      expect(deadRows).toHaveLength(deadIds.length);
      for (const row of deadRows) {
        const exhausted = idsOf('exhausted').includes(row.id);
        expect(row).toMatchObject({
          status: MessageStatus.Dead,
          attempts: exhausted ? 4 : 1,
          nextAttemptAt: null,
        });
      }

      // DATATENTATIVAEXEC progression: each retry planned at the policy's delay (±10 % jitter) after the failure.
      for (const kind of KINDS.filter((k) => !k.fatal)) {
        const failures = Math.min(kind.failAttempts ?? 0, POLICY.retry.maxAttempts - 1);
        for (const id of idsOf(kind.name)) {
          const plans = events('retry-scheduled', id).sort(
            (a, b) => Number(a['attempt']) - Number(b['attempt']),
          );
          expect(plans.map((p) => p['attempt'])).toEqual(Array.from({ length: failures }, (_, i) => i + 2));
          plans.forEach((plan, i) => {
            const delay = Date.parse(String(plan['dueAt'])) - Date.parse(String(plan['at']));
            expect(delay).toBeGreaterThanOrEqual(Math.floor(baseDelay(i + 1) * 0.9));
            expect(delay).toBeLessThanOrEqual(
              Math.min(POLICY.retry.maxDelayMs, Math.ceil(baseDelay(i + 1) * 1.1)),
            );
          });
        }
      }

      // <ns>.deadletter: the message, its attempts, the last error, the reason and the time.
      const letters = observer
        .values(observer.topics.deadletter)
        .filter((l) => deadIds.includes(String(l['messageId'])));
      expect(letters).toHaveLength(deadIds.length);
      for (const letter of letters) {
        const fatal = idsOf('fatal').includes(String(letter['messageId']));
        const lastError = fatal ? 'marked fatal' : 'attempt 4 of 6';
        expect(letter).toMatchObject({
          command: COMMAND,
          tenantId: TENANT,
          direction: 'downstream',
          attempts: fatal ? 1 : 4,
          reason: fatal ? 'fatal' : 'attempts-exhausted',
          errorCode: fatal ? 'FATAL_ERROR' : 'ATTEMPTS_EXHAUSTED',
          lastError: expect.stringContaining(lastError),
          source: 'retry-scheduler',
        });
        expect(JSON.parse(String(letter['data']))).toHaveProperty('invoice');
      }

      // <ns>.logs: an error per dead letter from the scheduler (and the executor's per failed attempt)...
      const logs = observer.values(observer.topics.logs);
      for (const id of deadIds) {
        expect(logs).toContainEqual(
          expect.objectContaining({
            messageId: id,
            type: LogType.Error,
            source: 'retry-scheduler',
            message: expect.stringMatching(/^Dead-lettered /),
          }),
        );
      }
      // ...which land in GTOTVSLINKLOG when the log writer runs in this system.
      if (SYSTEM_SERVICES.some((s) => s.name === 'log-writer')) {
        await waitFor(
          async () => {
            const rows = await Promise.all(deadIds.map((id) => system.tables.logs.findByMessageId(id)));
            return rows.every((r) =>
              r.some((log) => log.type === LogType.Error && log.message.startsWith('Dead-lettered')),
            );
          },
          { description: 'the dead letters logged in GTOTVSLINKLOG', timeoutMs: 60_000, intervalMs: 500 },
        ).catch(fail);
      }
    });

    it('redrives the exhausted messages with a fresh budget: attempts 5 and 6 fail, 7 succeeds', async () => {
      const exhausted = idsOf('exhausted');
      const scheduler = new URL(system.service('retry-scheduler').spec.readyUrl).origin;
      const response = await fetch(`${scheduler}/redrive`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${system.redriveToken}` },
        body: JSON.stringify({ ids: exhausted, by: 'e2e-operator', reason: 'the invoices are payable now' }),
      });
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ redriven: exhausted.length });

      await waitFor(async () => (await system.successRows(exhausted)).length >= exhausted.length, {
        description: 'the redriven messages to succeed',
        timeoutMs: 120_000,
        intervalMs: 500,
      }).catch(fail);
      await waitFor(() => exhausted.every((id) => events('redriven', id).length > 0), {
        description: 'the redriven events',
      }).catch(fail);
      const history = await system.tables.attempts.findByMessageIds(exhausted);
      for (const id of exhausted) {
        expect(history.filter((h) => h.messageId === id).map((h) => [h.attempt, h.status])).toEqual([
          ...[1, 2, 3, 4, 5, 6].map((a) => [a, AttemptStatus.Failure]),
          [7, AttemptStatus.Success],
        ]);
        expect(events('redriven', id)).toEqual([
          expect.objectContaining({ by: 'e2e-operator', reason: 'the invoices are payable now' }),
        ]);
        // The fresh budget restarts the delays: 200 ms after attempt 5, 400 ms after attempt 6.
        const plans = events('retry-scheduled', id).filter((p) => Number(p['attempt']) > 5);
        expect(plans.map((p) => p['attempt']).sort()).toEqual([6, 7]);
      }
      expect(await system.tables.messages.findByIds(exhausted)).toEqual([]);

      // Retry lateness over the whole run: scheduler (retry-due at − DATATENTATIVAEXEC) and executor (the timestamp of
      // the retry's command record − DATATENTATIVAEXEC: the command record is the dispatch to the segment, the first
      // one of its attempt when it was published again).
      const dueAt = new Map(
        events('retry-due').map((e) => [`${e['messageId']}#${e['attempt']}`, Date.parse(String(e['dueAt']))]),
      );
      const claimLateness = events('retry-due').map(
        (e) => Date.parse(String(e['at'])) - Date.parse(String(e['dueAt'])),
      );
      const dispatchedAt = new Map<string, number>();
      for (const record of observer.records(observer.topics.command(COMMAND))) {
        const key = `${record.headers[SmartLinkHeaders.messageId]}#${record.headers[SmartLinkHeaders.attempt]}`;
        if (dueAt.has(key))
          dispatchedAt.set(key, Math.min(dispatchedAt.get(key) ?? Infinity, record.timestamp));
      }
      const dispatchLateness = [...dispatchedAt].map(([key, at]) => at - (dueAt.get(key) as number));
      expect(claimLateness.every((l) => l >= 0)).toBe(true);
      expect(dispatchLateness.length).toBeGreaterThan(0);
      process.stdout.write(
        `\n[retry lateness on ${database}] ${describeLateness('claimed (retry-due)', claimLateness)}\n` +
          `[retry lateness on ${database}] ${describeLateness('dispatched to the segment', dispatchLateness)}\n`,
      );
    });

    it('stops the retry scheduler on SIGTERM within the grace period', async () => {
      await observer.stop();
      const exits = await system.stop();
      expect(exits['retry-scheduler']).toEqual({ code: 0, signal: null });
    });
  },
);
