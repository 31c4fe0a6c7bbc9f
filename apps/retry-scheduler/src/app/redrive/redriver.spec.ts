import { MessageStatus } from '@smartlink/rm-tables';
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
import type { RedriveRequest } from './redrive-request';
import { Redriver } from './redriver';

const dead = (id: string, overrides: Parameters<typeof row>[1] = {}) =>
  row(id, { status: MessageStatus.Dead, attempts: 5, lastError: 'boom', ...overrides });
const byAlice = (filter: Partial<RedriveRequest>): RedriveRequest => ({
  by: 'alice',
  reason: 'segment fixed',
  via: 'http',
  ...filter,
});

function setup(options: { rate?: number; max?: number }, ...rows: ReturnType<typeof row>[]) {
  const tables = new TablesDouble(...rows);
  const producer = new ProducerDouble();
  const logger = new LoggerDouble();
  const counters = new RetrySchedulerCounters();
  const redriver = new Redriver({
    messages: tables,
    producer,
    topics: TOPICS,
    clock: FIXED_CLOCK,
    logger,
    ratePerSecond: options.rate ?? 100,
    maxPerRequest: options.max ?? 1_000,
    counters,
  });
  return { tables, producer, logger, counters, redriver };
}

describe('Redriver', () => {
  it('puts a dead message back by id: due now, with a fresh budget, announced and logged with who and why', async () => {
    const { tables, producer, logger, redriver, counters } = setup({}, dead('d1'), dead('d2'));

    const result = await redriver.redrive(byAlice({ ids: ['d1'] }));

    expect(result).toEqual({
      redriven: 1,
      ids: ['d1'],
      firstDueAt: NOW.toISOString(),
      lastDueAt: NOW.toISOString(),
      more: false,
    });
    expect(tables.get('d1')).toMatchObject({
      status: MessageStatus.WaitingRetry,
      attempts: 5,
      attemptsBase: 5,
    });
    expect(tables.get('d2')?.status).toBe(MessageStatus.Dead);
    expect(producer.values(TOPICS.events)).toEqual([
      {
        type: 'redriven',
        messageId: 'd1',
        at: NOW.toISOString(),
        command: 'DemoInvoiceIssued',
        direction: 'downstream',
        by: 'alice',
        reason: 'segment fixed',
      },
    ]);
    expect(producer.values(TOPICS.logs)).toEqual([
      expect.objectContaining({
        messageId: 'd1',
        type: 0,
        message:
          'Redriven by alice (http), reason: segment fixed: message d1 (DemoInvoiceIssued), dead after 5 attempt(s), ' +
          `runs again as attempt 6 at ${NOW.toISOString()} with a fresh attempt budget`,
      }),
    ]);
    expect(logger.lines).toEqual([
      `log Redrive by alice (http) at ${NOW.toISOString()}, reason: segment fixed, of 1 id(s): 1 dead message(s) put back, ` +
        `due ${NOW.toISOString()} to ${NOW.toISOString()}`,
    ]);
    expect(counters.redriven).toBe(1);
  });

  it('spreads the messages over time at the bounded rate: a slice of a tenth of a second at a time', async () => {
    const rows = Array.from({ length: 25 }, (_, i) =>
      dead(`d${String(i).padStart(2, '0')}`, { command: 'A' }),
    );
    const { tables, redriver } = setup({ rate: 50 }, ...rows);

    const result = await redriver.redrive(byAlice({ command: 'A' }));

    // 50/s in slices of 5, 100 ms apart: 25 messages fall due over 400 ms.
    expect(result).toMatchObject({
      redriven: 25,
      firstDueAt: NOW.toISOString(),
      lastDueAt: at(400).toISOString(),
    });
    const dueTimes = rows.map((r) => tables.get(r.id)?.nextAttemptAt?.getTime() ?? NaN);
    for (let second = 0; second < 1_000; second += 100) {
      const within = dueTimes.filter(
        (t) => t >= NOW.getTime() + second && t < NOW.getTime() + second + 1_000,
      );
      expect(within.length).toBeLessThanOrEqual(50);
    }
    expect(new Set(dueTimes).size).toBe(5);
  });

  it('stops at the limit and says more may match', async () => {
    const { redriver } = setup({ max: 2 }, dead('a'), dead('b'), dead('c'));
    expect(await redriver.redrive(byAlice({ deadBefore: at(1) }))).toMatchObject({ redriven: 2, more: true });
    expect(await redriver.redrive(byAlice({ deadBefore: at(1), limit: 5 }))).toMatchObject({
      redriven: 1,
      more: false,
    });
  });

  it('takes a long id list in statements the database accepts', async () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const { redriver } = setup({}, ...ids.map((id) => dead(id)));
    expect((await redriver.redrive(byAlice({ ids }))).ids).toEqual(ids);
  });

  it('answers with nothing redriven when no dead message matches', async () => {
    const { producer, redriver } = setup({}, row('alive'));
    expect(await redriver.redrive(byAlice({ ids: ['alive', 'unknown'] }))).toEqual({
      redriven: 0,
      ids: [],
      firstDueAt: null,
      lastDueAt: null,
      more: false,
    });
    expect(producer.sent).toEqual([]);
  });

  it('fails, naming what it put back, when the audit records cannot be published', async () => {
    const { producer, logger, redriver } = setup({}, dead('d1'));
    producer.failNext = true;
    await expect(redriver.redrive(byAlice({ ids: ['d1'] }))).rejects.toThrow(/unreachable/);
    expect(logger.lines[0]).toMatch(
      /^error Redrive by alice \(http\) put back 1 message\(s\) but could not publish .*: d1$/,
    );
  });
});
