import { RetryPolicy, type RetryPolicyDocument } from '@smartlink/retry-policy';
import { AttemptStatus, MessageDirection, MessageStatus } from '@smartlink/rm-tables';
import { lostDuringHandlerError } from '@smartlink/messaging';
import {
  FIXED_CLOCK,
  LoggerDouble,
  NOW,
  ProducerDouble,
  TOPICS,
  TablesDouble,
  at,
  consumed,
  failedEvent,
  row,
} from '../../../test/support/scheduler-doubles';
import { RetrySchedulerCounters } from '../metrics/retry-scheduler-counters';
import { FailureEventHandler } from './failure-event-handler';

/** 3 attempts, 1 s then 2 s, no jitter. */
const POLICY: RetryPolicyDocument = {
  retry: { maxAttempts: 3, strategy: 'exponential', initialDelayMs: 1_000, multiplier: 2, jitter: 0 },
};

function setup(...rows: ReturnType<typeof row>[]) {
  const tables = new TablesDouble(...rows);
  const producer = new ProducerDouble();
  const counters = new RetrySchedulerCounters();
  const logger = new LoggerDouble();
  const policy = new RetryPolicy(POLICY, () => 0.5);
  const handler = new FailureEventHandler({
    messages: tables,
    attempts: tables,
    producer,
    topics: TOPICS,
    policy: () => policy,
    counters,
    clock: FIXED_CLOCK,
    logger,
  });
  return { tables, producer, counters, logger, handler };
}

describe('FailureEventHandler', () => {
  describe('when an attempt fails with attempts left', () => {
    it('sets DATATENTATIVAEXEC from the policy and announces the next attempt', async () => {
      const { tables, producer, handler, counters } = setup(row('m1', { attempts: 2 }));

      await handler.handle([consumed(failedEvent('m1', 2))]);

      expect(tables.get('m1')).toMatchObject({
        status: MessageStatus.WaitingRetry,
        attempts: 2,
        nextAttemptAt: at(2_000),
        updatedAt: NOW,
      });
      expect(producer.values(TOPICS.events)).toEqual([
        {
          type: 'retry-scheduled',
          messageId: 'm1',
          at: NOW.toISOString(),
          command: 'DemoInvoiceIssued',
          direction: 'downstream',
          attempt: 3,
          dueAt: at(2_000).toISOString(),
        },
      ]);
      expect(producer.values(TOPICS.logs)).toEqual([
        expect.objectContaining({
          messageId: 'm1',
          type: 0,
          message: `Attempt 2 of message m1 (DemoInvoiceIssued) failed; attempt 3 is due at ${at(2_000).toISOString()}`,
          source: 'retry-scheduler',
        }),
      ]);
      expect(producer.values(TOPICS.deadletter)).toEqual([]);
      expect(counters.retriesScheduled).toBe(1);
    });

    it("lets the cloud's Retry-After set the time of an upstream send's next attempt", async () => {
      const { tables, handler } = setup(row('up', { direction: MessageDirection.Upstream }));
      await handler.handle([consumed(failedEvent('up', 1, { direction: 'upstream', retryAfterMs: 45_000 }))]);
      expect(tables.get('up')?.nextAttemptAt).toEqual(at(45_000));
    });

    it('counts attempts within the budget a redrive gave: attempt 6 after a redrive at 5 is the first', async () => {
      const { tables, handler } = setup(row('again', { attempts: 6, attemptsBase: 5 }));
      await handler.handle([consumed(failedEvent('again', 6))]);
      expect(tables.get('again')?.nextAttemptAt).toEqual(at(1_000));
    });
  });

  describe('when a message is dead-lettered after attempts lost while its handler ran', () => {
    const lost = (attempt: number) =>
      lostDuringHandlerError({ attempt, startedAt: at(attempt * 100), outcomeDueBy: at(attempt * 100 + 50) });
    const history = (messageId: string, attempt: number, error: string) => ({
      messageId,
      direction: MessageDirection.Downstream,
      command: 'DemoInvoiceIssued',
      attempt,
      status: AttemptStatus.Failure,
      startedAt: at(attempt),
      finishedAt: at(attempt),
      error,
    });

    it('says the handler ended during each attempt (a poison message), reading the history once per chunk', async () => {
      const { tables, producer, handler, logger } = setup(
        row('poison', { attempts: 3 }),
        row('mixed', { attempts: 3 }),
        row('plain', { attempts: 3 }),
      );
      tables.history.push(
        history('poison', 1, lost(1)),
        history('poison', 2, lost(2)),
        history('poison', 3, lost(3)),
        history('mixed', 1, 'timeout'),
        history('mixed', 2, lost(2)),
        history('mixed', 3, 'timeout'),
        history('plain', 3, 'timeout'),
      );

      await handler.handle([
        consumed(failedEvent('poison', 3, { error: lost(3) })),
        consumed(failedEvent('mixed', 3, { error: 'timeout' })),
        consumed(failedEvent('plain', 3, { error: 'timeout' })),
      ]);

      expect(tables.historyReads).toBe(1);
      const letters = new Map(
        producer.values(TOPICS.deadletter).map((l) => [(l as { messageId: string }).messageId, l]),
      );
      expect(letters.get('poison')).toMatchObject({
        lastError:
          "dead-lettered after 3 attempt(s): the handler's process ended during each of them (a poison message); " +
          `last: ${lost(3)}`,
      });
      expect(letters.get('mixed')).toMatchObject({
        lastError:
          "dead-lettered after 3 attempt(s): the handler's process ended during 1 of them; last: timeout",
      });
      expect(letters.get('plain')).toMatchObject({ lastError: 'timeout' });
      expect(producer.values(TOPICS.logs)).toContainEqual(
        expect.objectContaining({
          messageId: 'poison',
          type: 2,
          message: expect.stringContaining(
            "the handler's process ended during each of them (a poison message)",
          ),
        }),
      );
      expect(logger.lines.some((l) => l.includes('poison') && l.includes('(a poison message)'))).toBe(true);
    });

    it('counts only the attempts of the current budget, after a redrive', async () => {
      const { tables, producer, handler } = setup(row('redriven', { attempts: 6, attemptsBase: 3 }));
      tables.history.push(
        history('redriven', 1, lost(1)),
        history('redriven', 2, lost(2)),
        history('redriven', 3, lost(3)),
        history('redriven', 4, 'timeout'),
        history('redriven', 5, 'timeout'),
        history('redriven', 6, 'timeout'),
      );

      await handler.handle([consumed(failedEvent('redriven', 6, { error: 'timeout' }))]);

      expect(producer.values(TOPICS.deadletter)).toEqual([expect.objectContaining({ lastError: 'timeout' })]);
    });

    it('does not read the history when nothing is dead-lettered', async () => {
      const { tables, handler } = setup(row('m1', { attempts: 1 }));
      await handler.handle([consumed(failedEvent('m1', 1))]);
      expect(tables.historyReads).toBe(0);
    });
  });

  describe('when the last allowed attempt fails', () => {
    it('dead-letters the message: row dead, a dead letter, an error log and a dead-lettered event', async () => {
      const { tables, producer, handler, counters } = setup(
        row('m3', { attempts: 3, tenantId: 't', correlatedId: 'c', lastError: 'old error' }),
      );

      await handler.handle([consumed(failedEvent('m3', 3, { error: 'still failing' }))]);

      expect(tables.get('m3')).toMatchObject({ status: MessageStatus.Dead, nextAttemptAt: null });
      expect(producer.values(TOPICS.deadletter)).toEqual([
        {
          messageId: 'm3',
          command: 'DemoInvoiceIssued',
          tenantId: 't',
          correlatedId: 'c',
          direction: 'downstream',
          data: '{"id":"m3"}',
          attempts: 3,
          reason: 'attempts-exhausted',
          errorCode: 'ATTEMPTS_EXHAUSTED',
          lastError: 'still failing',
          deadAt: NOW.toISOString(),
          source: 'retry-scheduler',
        },
      ]);
      expect(producer.values(TOPICS.events)).toEqual([
        expect.objectContaining({
          type: 'dead-lettered',
          messageId: 'm3',
          attempts: 3,
          reason: 'attempts-exhausted',
        }),
      ]);
      expect(producer.values(TOPICS.logs)).toEqual([
        expect.objectContaining({
          type: 2,
          message: expect.stringMatching(
            /^Dead-lettered message m3 \(DemoInvoiceIssued\) after 3 attempt\(s\)/,
          ),
        }),
      ]);
      expect(counters.deadLettered).toBe(1);
    });
  });

  describe('when an attempt fails fatally', () => {
    it('dead-letters at once, the row dead already as the executor left it', async () => {
      const { tables, producer, handler } = setup(row('f', { status: MessageStatus.Dead }));
      await handler.handle([consumed(failedEvent('f', 1, { type: 'fatal', error: 'bad invoice' }))]);
      expect(tables.get('f')?.status).toBe(MessageStatus.Dead);
      expect(producer.values(TOPICS.deadletter)).toEqual([
        expect.objectContaining({
          messageId: 'f',
          reason: 'fatal',
          errorCode: 'FATAL_ERROR',
          lastError: 'bad invoice',
        }),
      ]);
    });
  });

  describe('when the event no longer describes the message', () => {
    it('does nothing for a message gone, at another attempt, claimed, or from before a redrive', async () => {
      const { tables, producer, handler, counters } = setup(
        row('later', { attempts: 3 }),
        row('claimed', { status: MessageStatus.Dispatched, nextAttemptAt: at(-10) }),
        row('redriven', { attempts: 3, attemptsBase: 3, nextAttemptAt: at(5) }),
      );

      await handler.handle([
        consumed(failedEvent('gone', 1)),
        consumed(failedEvent('later', 2)),
        consumed(failedEvent('claimed', 1)),
        consumed(failedEvent('redriven', 3, { type: 'fatal' })),
      ]);

      expect(producer.sent).toEqual([]);
      expect(counters.staleEvents).toBe(4);
      expect(tables.get('redriven')?.status).toBe(MessageStatus.WaitingRetry);
    });

    it('announces a plan stored by an earlier delivery again, without changing it', async () => {
      const { tables, producer, handler, counters } = setup(row('m1', { nextAttemptAt: at(1_234) }));
      await handler.handle([consumed(failedEvent('m1', 1))]);
      expect(tables.get('m1')?.nextAttemptAt).toEqual(at(1_234));
      expect(producer.values(TOPICS.events)).toEqual([
        expect.objectContaining({ type: 'retry-scheduled', attempt: 2, dueAt: at(1_234).toISOString() }),
      ]);
      expect(counters.retriesRescheduledAgain).toBe(1);
    });
  });

  it('reads one event per message, its latest attempt, and ignores the other event types', async () => {
    const { tables, handler, counters } = setup(row('m1', { attempts: 2 }));
    await handler.handle([
      consumed(failedEvent('m1', 1)),
      consumed(failedEvent('m1', 2)),
      // Neither is produced any more, but an upgrade can leave them on the event log.
      consumed({ type: 'dispatched', messageId: 'm1', at: NOW.toISOString(), command: 'X', attempt: 3 }),
      consumed(failedEvent('m1', 3, { type: 'succeeded', error: null })),
    ]);
    expect(tables.get('m1')?.nextAttemptAt).toEqual(at(2_000));
    expect(counters.malformedEvents).toBe(0);
  });

  it('leaves records of other event types unread, by their schema header', async () => {
    const { tables, handler, counters } = setup(row('m1'));
    const mislabelled = {
      ...consumed(failedEvent('m1', 1)),
      headers: { 'smartlink-schema': 'event/received/v1' },
    };
    await handler.handle([mislabelled, consumed({ raw: 'not json' })]);
    expect(tables.get('m1')?.nextAttemptAt).toBeNull();
    // A record without the header is read: here, an unreadable one.
    expect(counters.malformedEvents).toBe(1);
  });

  it('skips and logs a record it cannot read, and handles the rest', async () => {
    const { tables, handler, logger, counters } = setup(row('m1'));
    await handler.handle([consumed({ raw: '{"type":"failed"' }), consumed(failedEvent('m1', 1))]);
    expect(counters.malformedEvents).toBe(1);
    expect(logger.lines[0]).toMatch(
      /^error Skipped an unreadable record of the event log at unit\.events\[0\]@\d+/,
    );
    expect(tables.get('m1')?.nextAttemptAt).toEqual(at(1_000));
  });

  describe('when the broker fails after the rows were settled', () => {
    it('rejects, so the chunk is redelivered, and the redelivery announces the same plan', async () => {
      const { tables, producer, handler } = setup(row('m1'), row('m2', { attempts: 3 }));
      producer.failNext = true;
      const chunk = [consumed(failedEvent('m1', 1)), consumed(failedEvent('m2', 3))];

      await expect(handler.handle(chunk)).rejects.toThrow(/unreachable/);
      expect(tables.get('m1')?.nextAttemptAt).toEqual(at(1_000));

      await handler.handle(chunk);
      expect(producer.values(TOPICS.events).map((e) => [e['type'], e['messageId']])).toEqual([
        ['retry-scheduled', 'm1'],
        ['dead-lettered', 'm2'],
      ]);
      expect(producer.values(TOPICS.deadletter)).toHaveLength(1);
    });
  });
});
