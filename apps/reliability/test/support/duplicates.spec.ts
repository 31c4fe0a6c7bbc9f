import {
  attemptsRunTwice,
  handlerRunsIn,
  repeatedRuns,
  unexplainedRepeats,
  unexplainedResends,
  type HandlerRun,
} from './duplicates';

const line = (timestamp: number, message: string) =>
  JSON.stringify({ level: 'log', pid: 7, timestamp, context: 'segment:demo', message });

describe('handlerRunsIn', () => {
  it('reads the successful runs of the demo handlers from JSON lines, skipping everything else', () => {
    const log = [
      line(1_000, 'DemoEmployeeUpdated m-1 attempt 1: employee update applied (2 field(s))'),
      line(1_100, 'DemoInvoiceIssued m-2 attempt 2: invoice issued'),
      line(1_200, 'DemoInvoiceIssued m-3 attempt 1: invoice rejected, will retry'),
      line(1_300, 'DemoPing m-4 attempt 1: pong'),
      'crash point segment.after-handler (hit 5): SIGKILL',
      '{"truncated',
    ].join('\n');
    expect(handlerRunsIn(log)).toEqual([
      { messageId: 'm-1', attempt: 1, at: 1_000 },
      { messageId: 'm-2', attempt: 2, at: 1_100 },
      { messageId: 'm-4', attempt: 1, at: 1_300 },
    ]);
  });

  it('refuses a run line without a timestamp rather than judging it at time zero', () => {
    const log = JSON.stringify({ message: 'DemoPing m-4 attempt 1: pong' });
    expect(() => handlerRunsIn(log)).toThrow('without a readable timestamp');
  });
});

describe('unexplainedRepeats', () => {
  const runs: HandlerRun[] = [
    { messageId: 'a', attempt: 1, at: 10_000 },
    { messageId: 'a', attempt: 1, at: 30_000 },
    { messageId: 'b', attempt: 1, at: 10_000 },
    { messageId: 'b', attempt: 2, at: 50_000 },
    { messageId: 'c', attempt: 1, at: 12_000 },
  ];

  it('explains a repeat by a disruption between the run it repeats and itself', () => {
    const disruptions = [
      { what: 'example-segment random', at: 20_000 },
      { what: 'broker kill', at: 45_000 },
    ];
    expect(unexplainedRepeats(runs, disruptions, 1_000)).toEqual([]);
  });

  it('names every repeat with no disruption before it, and a disruption after the repeat explains nothing', () => {
    const disruptions = [{ what: 'executor random', at: 40_000 }];
    expect(unexplainedRepeats(runs, disruptions, 1_000).map((u) => [u.messageId, u.repeat.at])).toEqual([
      ['a', 30_000],
    ]);
    expect(
      unexplainedRepeats(runs, [], 1_000)
        .map((u) => u.messageId)
        .sort(),
    ).toEqual(['a', 'b']);
  });

  it('accepts a disruption seen shortly before the first run, within the slack', () => {
    expect(unexplainedRepeats(runs.slice(0, 2), [{ what: 'kill', at: 9_500 }], 1_000)).toEqual([]);
    expect(unexplainedRepeats(runs.slice(0, 2), [{ what: 'kill', at: 8_000 }], 1_000)).toHaveLength(1);
  });
});

describe('counting', () => {
  it('counts runs beyond the first per message and attempts that ran twice', () => {
    const runs: HandlerRun[] = [
      { messageId: 'a', attempt: 1, at: 1 },
      { messageId: 'a', attempt: 1, at: 2 },
      { messageId: 'a', attempt: 2, at: 3 },
      { messageId: 'b', attempt: 1, at: 1 },
    ];
    expect(repeatedRuns(runs)).toBe(2);
    expect(attemptsRunTwice(runs)).toEqual(['a attempt 1']);
  });
});

describe('unexplainedResends', () => {
  const sends = [
    { id: 'p1', at: 10_000 },
    { id: 'p1', at: 20_000 },
    { id: 'p1', at: 30_000 },
    { id: 'p2', at: 12_000 },
  ];

  it('explains each repeat by one failed attempt of its message, then by a disruption between the sends', () => {
    expect(unexplainedResends(sends, new Map([['p1', 2]]), [], 1_000)).toEqual([]);
    expect(
      unexplainedResends(sends, new Map([['p1', 1]]), [{ what: 'executor random', at: 25_000 }], 1_000),
    ).toEqual([]);
  });

  it('names a repeat with no failed attempt left and no disruption between it and the send it repeats', () => {
    expect(unexplainedResends(sends, new Map([['p1', 1]]), [], 1_000)).toEqual([
      { id: 'p1', previous: 20_000, repeat: 30_000 },
    ]);
    expect(unexplainedResends(sends, new Map(), [{ what: 'database cut', at: 31_000 }], 1_000)).toHaveLength(
      2,
    );
    expect(unexplainedResends(sends, new Map([['p2', 5]]), [], 1_000)).toHaveLength(2);
  });

  it('accepts a disruption seen shortly before the send it repeats, within the slack, and sorts sends by time', () => {
    const shuffled = [sends[1], sends[0]] as { id: string; at: number }[];
    expect(unexplainedResends(shuffled, new Map(), [{ what: 'kill', at: 9_500 }], 1_000)).toEqual([]);
    expect(unexplainedResends(shuffled, new Map(), [{ what: 'kill', at: 8_000 }], 1_000)).toHaveLength(1);
  });
});
