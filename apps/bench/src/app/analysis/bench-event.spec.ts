import { readBenchEvent } from './bench-event';

describe('readBenchEvent', () => {
  it('reads the instants and fields the benchmark measures with', () => {
    const value = JSON.stringify({
      type: 'received',
      messageId: 'm-1',
      at: '2026-11-28T12:00:00.100Z',
      command: 'DemoEmployeeUpdated',
      data: '{"big":"payload"}',
      source: 'bench-latency',
      enqueuedAt: '2026-11-28T12:00:00.000Z',
    });

    expect(readBenchEvent(value, 1_000)).toEqual({
      type: 'received',
      messageId: 'm-1',
      at: Date.parse('2026-11-28T12:00:00.100Z'),
      recordedAt: 1_000,
      source: 'bench-latency',
      enqueuedAt: Date.parse('2026-11-28T12:00:00.000Z'),
    });
  });

  it('keeps attempt, handler start, due time and direction', () => {
    const value = JSON.stringify({
      type: 'succeeded',
      messageId: 'm-1',
      at: '2026-11-28T12:00:01.000Z',
      attempt: 2,
      direction: 'downstream',
      startedAt: '2026-11-28T12:00:00.500Z',
      dueAt: '2026-11-28T12:00:00.400Z',
    });

    expect(readBenchEvent(value, 5)).toMatchObject({
      attempt: 2,
      direction: 'downstream',
      startedAt: Date.parse('2026-11-28T12:00:00.500Z'),
      dueAt: Date.parse('2026-11-28T12:00:00.400Z'),
    });
  });

  it('is null for records that are not lifecycle events', () => {
    expect(readBenchEvent('not json', 0)).toBeNull();
    expect(readBenchEvent('null', 0)).toBeNull();
    expect(readBenchEvent(JSON.stringify({ type: 'received', messageId: 'm' }), 0)).toBeNull();
    expect(readBenchEvent(JSON.stringify({ type: 'x', messageId: 'm', at: 'yesterday' }), 0)).toBeNull();
  });
});
