import { AttemptStatus, MessageDirection, MessageStatus } from '@smartlink/rm-tables';
import { FAILURE_WINDOW_MS, buildStatusReport, formatStatusText } from './status-report';

const AT = new Date('2025-06-01T12:00:00.000Z');
const ago = (ms: number) => new Date(AT.getTime() - ms);
const { Downstream, Upstream } = MessageDirection;

const input = {
  at: AT,
  database: 'postgres smartlink@db:5432/rm',
  windowMs: FAILURE_WINDOW_MS,
  messages: [
    {
      direction: Upstream,
      command: 'SGDPMaskResponse',
      status: MessageStatus.Dead,
      count: 2,
      oldestCreatedAt: ago(86_400_000),
    },
    {
      direction: Downstream,
      command: 'Alpha',
      status: MessageStatus.Pending,
      count: 12,
      oldestCreatedAt: ago(125_000),
    },
    {
      direction: Downstream,
      command: 'Alpha',
      status: MessageStatus.Dispatched,
      count: 3,
      oldestCreatedAt: ago(5_000),
    },
    {
      direction: Downstream,
      command: 'Alpha',
      status: MessageStatus.WaitingRetry,
      count: 1,
      oldestCreatedAt: ago(200_000),
    },
    {
      direction: Downstream,
      command: 'Alpha',
      status: MessageStatus.Dead,
      count: 1,
      oldestCreatedAt: ago(9_000_000),
    },
    {
      direction: Downstream,
      command: 'Beta',
      status: MessageStatus.Pending,
      count: 1,
      oldestCreatedAt: ago(1_000),
    },
  ],
  failures: [
    {
      direction: Downstream,
      command: 'Alpha',
      status: AttemptStatus.Failure,
      count: 4,
      lastFinishedAt: ago(12_000),
    },
    {
      direction: Downstream,
      command: 'Alpha',
      status: AttemptStatus.Fatal,
      count: 1,
      lastFinishedAt: ago(30_000),
    },
  ],
};

describe('buildStatusReport', () => {
  const report = buildStatusReport(input);

  it('folds the statuses of a command into one line, the oldest still to run leaving the dead out', () => {
    expect(report.messages.commands).toEqual([
      {
        direction: 'upstream',
        command: 'SGDPMaskResponse',
        pending: 0,
        waitingRetry: 0,
        dispatched: 0,
        dead: 2,
        oldestCreatedAt: null,
        oldestAgeMs: null,
      },
      {
        direction: 'downstream',
        command: 'Alpha',
        pending: 12,
        waitingRetry: 1,
        dispatched: 3,
        dead: 1,
        oldestCreatedAt: ago(200_000).toISOString(),
        oldestAgeMs: 200_000,
      },
      {
        direction: 'downstream',
        command: 'Beta',
        pending: 1,
        waitingRetry: 0,
        dispatched: 0,
        dead: 0,
        oldestCreatedAt: ago(1_000).toISOString(),
        oldestAgeMs: 1_000,
      },
    ]);
  });

  it('totals every status, and counts the dead letters', () => {
    expect(report.messages.totals).toEqual({ pending: 13, waitingRetry: 1, dispatched: 3, dead: 3 });
    expect(report.messages.oldestAgeMs).toBe(200_000);
    expect(report.deadLetters).toBe(3);
  });

  it('puts failed and fatal attempts of a command on one line, with the latest', () => {
    expect(report.failures).toEqual({
      since: ago(FAILURE_WINDOW_MS).toISOString(),
      windowMs: FAILURE_WINDOW_MS,
      commands: [
        {
          direction: 'downstream',
          command: 'Alpha',
          failed: 4,
          fatal: 1,
          latestFinishedAt: ago(12_000).toISOString(),
        },
      ],
      failed: 4,
      fatal: 1,
    });
  });

  it('survives a JSON round trip unchanged, for --json', () => {
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
  });
});

describe('formatStatusText', () => {
  it('lays the report out in aligned tables', () => {
    expect(formatStatusText(buildStatusReport(input))).toBe(
      [
        'RM tables: postgres smartlink@db:5432/rm, at 2025-06-01T12:00:00.000Z',
        '',
        'Messages not done (GTOTVSLINKMESSAGE); OLDEST is the age of the oldest one still to run:',
        'DIRECTION   COMMAND           PENDING  WAITING RETRY  DISPATCHED  DEAD  OLDEST',
        'upstream    SGDPMaskResponse        0              0           0     2       -',
        'downstream  Alpha                  12              1           3     1   3m20s',
        'downstream  Beta                    1              0           0     0      1s',
        'all                                13              1           3     3   3m20s',
        '',
        'Failed attempts in the last hour (GTOTVSLINKMESSAGEEXEC): 4 failed, 1 fatal',
        'DIRECTION   COMMAND  FAILED  FATAL   LATEST',
        'downstream  Alpha         4      1  12s ago',
        '',
        'Dead letters: 3 (npm run redrive -- --command <name> --by <you> puts them back)',
        '',
      ].join('\n'),
    );
  });

  it('says so when there is nothing to show', () => {
    const empty = buildStatusReport({ ...input, messages: [], failures: [] });
    expect(formatStatusText(empty)).toBe(
      [
        'RM tables: postgres smartlink@db:5432/rm, at 2025-06-01T12:00:00.000Z',
        '',
        'No messages waiting: GTOTVSLINKMESSAGE is empty.',
        '',
        'No failed attempts in the last hour.',
        '',
        'Dead letters: 0',
        '',
      ].join('\n'),
    );
  });
});
