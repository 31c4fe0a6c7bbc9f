import { AttemptStatus, MessageDirection, type MessageExecEntity } from '@smartlink/rm-tables';
import { waitFor } from '@smartlink/testing';
import { publishFromSegment } from '@smartlink/system-harness';
import { SYSTEM_SERVICES } from '@smartlink/system-harness';
import { TENANT, TestSystem, type DatabaseKind } from '@smartlink/system-harness';

// Segments publish while the cloud misbehaves on send: 5xx with Retry-After, 429 with Retry-After, and requests it
// holds past the client's timeout. Each failed send is a failed attempt the retry scheduler plans (honouring the
// Retry-After) and hands back as due; the executor sends again. The sends are delayed, none is lost, none doubled.

const PINGS = 20;
const NOTICES = 20;
const CLIENT_TIMEOUT_MS = 2_000;
const THROTTLE_RETRY_AFTER_S = 2;
const SERVER_ERROR_RETRY_AFTER_S = 1;
/** Each rule fires on this many send requests, then never again: 16 faults in all, whatever the timing. */
const FAULTS = {
  rules: [
    { kind: 'error', status: 503, retryAfter: SERVER_ERROR_RETRY_AFTER_S, endpoints: ['send'], next: 6 },
    { kind: 'throttle', retryAfter: THROTTLE_RETRY_AFTER_S, endpoints: ['send'], next: 6 },
    { kind: 'timeout', holdMs: 30_000, endpoints: ['send'], next: 4 },
  ],
};
const FAULT_COUNT = 16;
/** More attempts than there are faults, with quick retries: no message can run out of attempts. */
const POLICY = {
  retry: { maxAttempts: FAULT_COUNT + 4, strategy: 'fixed', initialDelayMs: 200, maxDelayMs: 200, jitter: 0 },
};

describe.each<DatabaseKind>(['postgres', 'sqlite'])(
  'upstream with cloud faults, end to end, on %s',
  (database) => {
    let system: TestSystem;

    beforeAll(async () => {
      if (!SYSTEM_SERVICES.some((service) => service.name === 'retry-scheduler')) {
        throw new Error(
          'this test needs the retry-scheduler in test/support/system-services.ts: failed sends wait for it',
        );
      }
      system = await TestSystem.start({
        database,
        commands: ['DemoPing'],
        retryPolicy: POLICY,
        overrides: {
          'smartlink-sim': { SIM_FAULTS: JSON.stringify(FAULTS) },
          executor: { SMARTLINK_HTTP_TIMEOUT_MS: String(CLIENT_TIMEOUT_MS) },
        },
      });
    });

    afterAll(async () => {
      await system?.stop();
    });

    const withLogs = (error: Error) => Promise.reject(new Error(`${error.message}\n${system.logs()}`));

    it('delays the sends but loses none and doubles none; each retry waits for the Retry-After', async () => {
      const pings = await system.sim.enqueue(
        TENANT,
        Array.from(
          { length: PINGS },
          (_, i) => ({ style: 'cloudevents', type: 'DemoPing', data: { n: i } }) as const,
        ),
      );
      const noticeIds = await publishFromSegment(system.segmentUrl, { count: NOTICES });

      await waitFor(async () => (await system.sim.sent(TENANT)).total >= PINGS + NOTICES, {
        description: `${PINGS + NOTICES} sends at the simulator`,
        timeoutMs: 240_000,
        intervalMs: 500,
      }).catch(withLogs);
      const sent = await system.sim.sent(TENANT);
      const sentIds = sent.entries.map((s) => String(s.envelope?.id));

      // Every message has its successful attempt recorded...
      await waitFor(async () => (await system.successRows(sentIds)).length >= PINGS + NOTICES, {
        description: 'a success for every upstream message',
        timeoutMs: 120_000,
        intervalMs: 500,
      }).catch(withLogs);

      // ...the cloud got each once (faulted requests never reach it), the replies and the notices all there...
      expect((await system.sim.sent(TENANT)).total).toBe(PINGS + NOTICES);
      expect(new Set(sentIds).size).toBe(PINGS + NOTICES);
      const correlations = new Set(sent.entries.map((s) => s.envelope?.correlationId));
      for (const p of pings) expect(correlations.has(p.id)).toBe(true);
      for (const id of noticeIds) expect(sentIds).toContain(id);

      // ...every fault cost exactly one failed attempt, retried until it succeeded, none fatal...
      expect((await system.sim.stats()).http.faults).toMatchObject({
        'send:error': 6,
        'send:throttle': 6,
        'send:timeout': 4,
      });
      const history = (await system.tables.attempts.findByMessageIds(sentIds)).filter(
        (h) => h.direction === MessageDirection.Upstream,
      );
      const failures = history.filter((h) => h.status === AttemptStatus.Failure);
      expect(failures).toHaveLength(FAULT_COUNT);
      expect(history.filter((h) => h.status === AttemptStatus.Fatal)).toEqual([]);
      expect(failures.filter((f) => f.error?.includes('HTTP 503'))).toHaveLength(6);
      expect(failures.filter((f) => f.error?.includes('HTTP 429'))).toHaveLength(6);
      expect(failures.filter((f) => f.error?.includes('timed out'))).toHaveLength(4);

      // ...and the attempt after a 429 or a 503 started no sooner than the cloud's Retry-After allowed.
      const byMessage = new Map<string, MessageExecEntity[]>();
      for (const row of history) byMessage.set(row.messageId, [...(byMessage.get(row.messageId) ?? []), row]);
      for (const failure of failures) {
        const retryAfterS = failure.error?.includes('HTTP 429')
          ? THROTTLE_RETRY_AFTER_S
          : failure.error?.includes('HTTP 503')
            ? SERVER_ERROR_RETRY_AFTER_S
            : 0;
        const next = byMessage.get(failure.messageId)?.find((h) => h.attempt === failure.attempt + 1);
        expect(next).toBeDefined();
        const waitedMs = (next?.startedAt.getTime() ?? 0) - failure.finishedAt.getTime();
        expect({ message: failure.messageId, waitedEnough: waitedMs >= retryAfterS * 1_000 - 50 }).toEqual({
          message: failure.messageId,
          waitedEnough: true,
        });
      }

      // Nothing is left pending.
      await waitFor(async () => (await system.tables.messages.countUndone()) === 0, {
        description: 'GTOTVSLINKMESSAGE to be empty',
        timeoutMs: 30_000,
      }).catch(withLogs);
    });
  },
);
