import type { OffsetsSnapshot } from '@smartlink/messaging';
import { recordsPerMessage, uncommitted } from './records-per-message';

const snapshot = (
  topics: OffsetsSnapshot['topics'],
  groups: OffsetsSnapshot['groups'] = {},
): OffsetsSnapshot => ({ prefix: 'ns.', topics, groups });

describe('recordsPerMessage', () => {
  // 10 messages: 3 events and 1 command each, the events read by two groups, the commands by the segment.
  const before = snapshot(
    { 'ns.events': { '0': '100', '1': '50' }, 'ns.cmd.Demo': { '0': '7' }, 'ns.deadletter': { '0': '2' } },
    {
      'ns.executor.events': { 'ns.events': { '0': '100', '1': '50' } },
      'ns.retry-scheduler': { 'ns.events': { '0': '100', '1': '50' } },
      'ns.segment.example': { 'ns.cmd.Demo': { '0': '7' } },
      'ns.poller.lease': {},
    },
  );
  const after = snapshot(
    { 'ns.events': { '0': '118', '1': '62' }, 'ns.cmd.Demo': { '0': '17' }, 'ns.deadletter': { '0': '2' } },
    {
      'ns.executor.events': { 'ns.events': { '0': '118', '1': '62' } },
      'ns.retry-scheduler': { 'ns.events': { '0': '118', '1': '62' } },
      'ns.segment.example': { 'ns.cmd.Demo': { '0': '17' } },
      'ns.poller.lease': {},
    },
  );

  it('sums end-offset and commit deltas over partitions and divides by the messages handled', () => {
    const records = recordsPerMessage(before, after, 10);

    expect(records).toMatchObject({ messages: 10, producedRecords: 40, consumedRecords: 70 });
    expect(records.produced).toBe(4);
    expect(records.consumed).toBe(7);
  });

  it('says per topic what was produced and which groups read it, without the namespace', () => {
    const records = recordsPerMessage(before, after, 10);

    expect(records.topics).toEqual({
      'cmd.Demo': { produced: 10, producedPerMessage: 1, readBy: { 'segment.example': 1 } },
      events: {
        produced: 30,
        producedPerMessage: 3,
        readBy: { 'executor.events': 3, 'retry-scheduler': 3 },
      },
    });
    expect(records.groups).toEqual({
      'executor.events': { consumed: 30, consumedPerMessage: 3, topics: { events: 3 } },
      'retry-scheduler': { consumed: 30, consumedPerMessage: 3, topics: { events: 3 } },
      'segment.example': { consumed: 10, consumedPerMessage: 1, topics: { 'cmd.Demo': 1 } },
    });
  });

  it('counts a topic, a partition or a first commit that appeared during the run from 0', () => {
    const records = recordsPerMessage(
      snapshot({ 'ns.events': { '0': '4' } }, { 'ns.log-writer': {} }),
      snapshot(
        { 'ns.events': { '0': '4', '1': '3' }, 'ns.logs': { '0': '6' } },
        {
          'ns.log-writer': { 'ns.logs': { '0': '6' } },
          'ns.executor.events': { 'ns.events': { '0': '-1', '1': '3' } },
        },
      ),
      3,
    );

    expect(records.producedRecords).toBe(9);
    expect(records.consumedRecords).toBe(9);
    expect(records.topics['logs']).toEqual({
      produced: 6,
      producedPerMessage: 2,
      readBy: { 'log-writer': 2 },
    });
  });

  it('rounds per-message figures to thousandths and handles offsets beyond 2^53', () => {
    const records = recordsPerMessage(
      snapshot({ 'ns.events': { '0': '9007199254740990' } }),
      snapshot({ 'ns.events': { '0': '9007199254741000' } }),
      3,
    );

    expect(records.producedRecords).toBe(10);
    expect(records.produced).toBe(3.333);
  });

  it('refuses offsets that went back, and a run that handled nothing', () => {
    expect(() =>
      recordsPerMessage(snapshot({ 'ns.events': { '0': '9' } }), snapshot({ 'ns.events': { '0': '3' } }), 1),
    ).toThrow(/ns.events\[0\] went back from 9 to 3/);
    expect(() => recordsPerMessage(before, after, 0)).toThrow(RangeError);
  });
});

describe('uncommitted', () => {
  it('counts per group the records between its commits and the end offsets, never-committed partitions whole', () => {
    const state = snapshot(
      { 'ns.events': { '0': '10', '1': '5' }, 'ns.logs': { '0': '4' } },
      {
        'ns.executor.events': { 'ns.events': { '0': '10', '1': '5' } },
        'ns.retry-scheduler': { 'ns.events': { '0': '8', '1': '-1' } },
        'ns.log-writer': { 'ns.logs': { '0': '6' } },
        'ns.poller.lease': {},
      },
    );

    expect(uncommitted(state)).toEqual({
      'ns.executor.events': 0,
      'ns.retry-scheduler': 7,
      // Its commit is ahead of the end offset read a moment before it: records still moving.
      'ns.log-writer': 2,
      'ns.poller.lease': 0,
    });
  });
});
