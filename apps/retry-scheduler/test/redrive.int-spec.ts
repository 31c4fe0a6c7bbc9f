import { MessageStatus, type MessageEntity } from '@smartlink/rm-tables';
import { uniqueName, waitFor } from '@smartlink/testing';
import { runRedriveCli } from '../src/app/redrive/redrive-cli';
import {
  SchedulerHarness,
  TEST_DATABASES,
  databaseEnv,
  failedRow,
  type TestDatabase,
} from './support/scheduler-harness';

const TOKEN = 'redrive-token-for-the-int-spec';
const RATE = 20;

// Redrive through the scheduler's HTTP endpoint and through the CLI, against the real broker and database: dead rows
// come back as due retries at the bounded rate, each with a redriven event and a log, and the due loop runs them.
describe.each(TEST_DATABASES)('redrive on $name', ({ create }) => {
  let database: TestDatabase;
  let scheduler: SchedulerHarness;

  beforeAll(async () => {
    database = await create();
    scheduler = await SchedulerHarness.start(database.settings, {
      env: {
        REDRIVE_HTTP_TOKEN: TOKEN,
        REDRIVE_RATE_PER_SECOND: String(RATE),
        REDRIVE_MAX_PER_REQUEST: '100',
      },
    });
    await Promise.all([scheduler.topics.events, scheduler.topics.logs].map((t) => scheduler.collect(t)));
  });

  afterAll(async () => {
    await scheduler?.stop();
    await database?.dispose();
  });

  /** Dead rows of `command`, dead at `deadAt` (DATAATUALIZACAO), after `attempts` attempts. */
  const deadRows = async (
    prefix: string,
    n: number,
    options: { command?: string; deadAt?: Date; attempts?: number } = {},
  ) => {
    const ids = Array.from({ length: n }, (_, i) => `${uniqueName(prefix)}-${i}`);
    await scheduler.tables.messages.insertIgnoringDuplicates(
      ids.map((id) =>
        failedRow(id, options.attempts ?? 3, {
          status: MessageStatus.Dead,
          command: options.command ?? 'DemoInvoiceIssued',
          updatedAt: options.deadAt ?? new Date(),
        }),
      ),
    );
    return ids;
  };
  const redrive = (body: unknown, token: string | null = TOKEN) =>
    scheduler.post('/redrive', body, token === null ? {} : { authorization: `Bearer ${token}` });
  const rowsOf = async (ids: readonly string[]): Promise<MessageEntity[]> =>
    scheduler.tables.messages.findByIds(ids);

  it('puts one dead message back by id over HTTP; the due loop runs it as the next attempt', async () => {
    const [target, other] = await deadRows('by-id', 2);

    const response = await redrive({ ids: [target], by: 'alice', reason: 'segment fixed' });

    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ redriven: 1, ids: [target], more: false });
    const [due] = await scheduler.waitForEvents('retry-due', String(target));
    expect(due).toMatchObject({ attempt: 4 });
    // The redriven event's `at` is the redrive; on the log it may follow the retry-due of a row due at once.
    const [redriven] = await scheduler.waitForEvents('redriven', String(target));
    expect(redriven).toMatchObject({ by: 'alice', reason: 'segment fixed', command: 'DemoInvoiceIssued' });
    expect(scheduler.values(scheduler.topics.logs, target)).toEqual([
      expect.objectContaining({
        type: 0,
        source: 'retry-scheduler',
        message: expect.stringMatching(
          /^Redriven by alice \(http\), reason: segment fixed: .* runs again as attempt 4/,
        ),
      }),
    ]);
    const [row] = await rowsOf([target as string]);
    expect(row).toMatchObject({ status: MessageStatus.Dispatched, attempts: 3, attemptsBase: 3 });
    expect((await rowsOf([other as string]))[0]?.status).toBe(MessageStatus.Dead);
  });

  it('puts every dead message of a command back at the bounded rate', async () => {
    const command = `Redrive${uniqueName('cmd').replace(/[^A-Za-z0-9]/g, '')}`.slice(0, 60);
    const ids = await deadRows('by-command', 30, { command });
    const bystander = await deadRows('bystander', 1);

    const response = await redrive({ command, by: 'bob' });
    const body = (await response.json()) as { redriven: number; firstDueAt: string; lastDueAt: string };

    expect(body.redriven).toBe(30);
    // 30 at 20/s: the last falls due at least (30 - slice) / 20 s after the first.
    expect(Date.parse(body.lastDueAt) - Date.parse(body.firstDueAt)).toBeGreaterThanOrEqual(1_300);
    const due = await waitFor(
      () => {
        const events = ids.flatMap((id) => scheduler.events('retry-due', id));
        return events.length === ids.length ? events : undefined;
      },
      { description: '30 redriven retries run', timeoutMs: 30_000 },
    );
    const dispatchTimes = due.map((e) => Date.parse(String(e['at']))).sort((a, b) => a - b);
    // No one-second window holds more than the rate (plus one slice of slack for the poll interval).
    for (const t of dispatchTimes) {
      expect(dispatchTimes.filter((u) => u >= t && u < t + 1_000).length).toBeLessThanOrEqual(RATE + 2);
    }
    expect((await rowsOf(bystander))[0]?.status).toBe(MessageStatus.Dead);
  });

  it('puts back the messages that died in a time window, and no others', async () => {
    const base = Date.now() - 3_600_000;
    const before = await deadRows('window-before', 1, { deadAt: new Date(base - 1) });
    const inside = await deadRows('window-inside', 2, { deadAt: new Date(base + 10) });
    const after = await deadRows('window-after', 1, { deadAt: new Date(base + 60_000) });

    const response = await redrive({
      from: new Date(base).toISOString(),
      to: new Date(base + 60_000).toISOString(),
      by: 'carol',
    });

    expect(((await response.json()) as { ids: string[] }).ids.sort()).toEqual([...inside].sort());
    expect((await rowsOf([...before, ...after])).map((r) => r.status)).toEqual([
      MessageStatus.Dead,
      MessageStatus.Dead,
    ]);
  });

  it('refuses a caller without the token, and a request without a filter', async () => {
    const [id] = await deadRows('guarded', 1);
    expect((await redrive({ ids: [id], by: 'mallory' }, null)).status).toBe(401);
    expect((await redrive({ ids: [id], by: 'mallory' }, 'wrong-token-of-the-same-size!!')).status).toBe(401);
    const invalid = await redrive({ by: 'alice' });
    expect(invalid.status).toBe(400);
    expect(await invalid.text()).toMatch(/say which dead messages/);
    expect((await rowsOf([id as string]))[0]?.status).toBe(MessageStatus.Dead);
  });

  it('redrives from the CLI with the same rules, and logs who did it', async () => {
    const ids = await deadRows('cli', 3, { attempts: 5 });
    const out = { stdout: '', stderr: '' };
    const env = {
      KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '',
      KAFKA_LOG_LEVEL: 'nothing',
      SMARTLINK_TOPIC_NAMESPACE: scheduler.topics.namespace,
      REDRIVE_RATE_PER_SECOND: String(RATE),
      ...databaseEnv(database.settings),
    };

    const code = await runRedriveCli(
      [...ids.flatMap((id) => ['--id', id]), '--by', 'dave', '--reason', 'after the fix'],
      env,
      { stdout: (t) => void (out.stdout += t), stderr: (t) => void (out.stderr += t) },
    );

    expect({ code, stderr: out.stderr }).toEqual({
      code: 0,
      stderr: expect.stringMatching(/Redrive by dave \(cli\)/),
    });
    expect(JSON.parse(out.stdout)).toMatchObject({ redriven: 3, more: false });
    for (const id of ids) {
      const [due] = await scheduler.waitForEvents('retry-due', id);
      expect(due).toMatchObject({ attempt: 6 });
      expect(await scheduler.waitForEvents('redriven', id)).toEqual([
        expect.objectContaining({ by: 'dave', reason: 'after the fix' }),
      ]);
    }
  });
});
