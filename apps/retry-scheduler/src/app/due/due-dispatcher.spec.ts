import { MessageDirection, MessageStatus } from '@smartlink/rm-tables';
import {
  FIXED_CLOCK,
  LoggerDouble,
  NOW,
  ProducerDouble,
  TOPICS,
  TablesDouble,
  at,
  row,
} from '../../../test/support/scheduler-doubles';
import { RetrySchedulerCounters } from '../metrics/retry-scheduler-counters';
import { DueDispatcher } from './due-dispatcher';

function setup(batchSize: number, ...rows: ReturnType<typeof row>[]) {
  const tables = new TablesDouble(...rows);
  const producer = new ProducerDouble();
  const counters = new RetrySchedulerCounters();
  const logger = new LoggerDouble();
  const dispatcher = new DueDispatcher({
    messages: tables,
    producer,
    topics: TOPICS,
    counters,
    clock: FIXED_CLOCK,
    logger,
    batchSize,
  });
  return { tables, producer, counters, logger, dispatcher };
}

describe('DueDispatcher', () => {
  it('claims the due retries and announces each as retry-due with the next attempt and its due time', async () => {
    const { tables, producer, dispatcher, counters } = setup(
      10,
      row('due', { attempts: 2, nextAttemptAt: at(-300) }),
      row('up', { direction: MessageDirection.Upstream, nextAttemptAt: at(-100) }),
      row('not-yet', { nextAttemptAt: at(1) }),
      row('unplanned'),
    );

    expect(await dispatcher.dispatchDue()).toEqual({ claimed: 2, full: false });

    expect(producer.values(TOPICS.events)).toEqual([
      {
        type: 'retry-due',
        messageId: 'due',
        at: NOW.toISOString(),
        command: 'DemoInvoiceIssued',
        direction: 'downstream',
        attempt: 3,
        dueAt: at(-300).toISOString(),
      },
      expect.objectContaining({ messageId: 'up', direction: 'upstream', attempt: 2 }),
    ]);
    expect(tables.get('due')?.status).toBe(MessageStatus.Dispatched);
    expect(tables.get('not-yet')?.status).toBe(MessageStatus.WaitingRetry);
    expect(counters).toMatchObject({ retriesDue: 2, latenessMaxMs: 300, latenessTotalMs: 400 });
  });

  it('says when the batch was full, so the loop claims again at once', async () => {
    const { dispatcher } = setup(
      2,
      row('a', { nextAttemptAt: at(-3) }),
      row('b', { nextAttemptAt: at(-2) }),
      row('c', { nextAttemptAt: at(-1) }),
    );
    expect(await dispatcher.dispatchDue()).toEqual({ claimed: 2, full: true });
    expect(await dispatcher.dispatchDue()).toEqual({ claimed: 1, full: false });
    expect(await dispatcher.dispatchDue()).toEqual({ claimed: 0, full: false });
  });

  it('hands the claim back, still due, when the announcement cannot be published', async () => {
    const { tables, producer, dispatcher, counters, logger } = setup(
      10,
      row('due', { nextAttemptAt: at(-1) }),
    );
    producer.failNext = true;

    await expect(dispatcher.dispatchDue()).rejects.toThrow(/unreachable/);

    expect(tables.get('due')).toMatchObject({ status: MessageStatus.WaitingRetry, nextAttemptAt: at(-1) });
    expect(counters).toMatchObject({ retriesDue: 0, claimsReleased: 1 });
    expect(logger.lines).toEqual(['warn Could not announce 1 due retry; 1 handed back to run later']);
    expect(await dispatcher.dispatchDue()).toEqual({ claimed: 1, full: false });
  });

  it('leaves the claim to the dispatch timeout when even handing it back fails', async () => {
    const { tables, producer, dispatcher, logger } = setup(10, row('due', { nextAttemptAt: at(-1) }));
    producer.failNext = true;
    tables.failNext.add('releaseClaims');
    await expect(dispatcher.dispatchDue()).rejects.toThrow(/unreachable/);
    expect(tables.get('due')?.status).toBe(MessageStatus.Dispatched);
    expect(logger.lines[0]).toMatch(/^error .*the dispatch timeout will count them as failed attempts$/);
  });
});
