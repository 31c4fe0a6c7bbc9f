import { readBenchEvent, readOutcomeRecord } from './bench-event';

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

  it('keeps attempt, due time and direction', () => {
    const value = JSON.stringify({
      type: 'retry-due',
      messageId: 'm-1',
      at: '2026-11-28T12:00:01.000Z',
      command: 'DemoInvoiceIssued',
      attempt: 2,
      direction: 'downstream',
      dueAt: '2026-11-28T12:00:00.400Z',
    });

    expect(readBenchEvent(value, 5)).toMatchObject({
      attempt: 2,
      direction: 'downstream',
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

describe('readOutcomeRecord', () => {
  it("reads an outcome's attempt, status, handler times and record timestamp", () => {
    const value = JSON.stringify({
      messageId: 'm-1',
      attempt: 2,
      status: 'failed',
      error: 'boom',
      startedAt: '2026-11-28T12:00:00.500Z',
      finishedAt: '2026-11-28T12:00:00.700Z',
    });

    expect(readOutcomeRecord(value, 9_000)).toEqual({
      messageId: 'm-1',
      attempt: 2,
      status: 'failed',
      startedAt: Date.parse('2026-11-28T12:00:00.500Z'),
      finishedAt: Date.parse('2026-11-28T12:00:00.700Z'),
      timestamp: 9_000,
    });
  });

  it('is null for a started marker and for records that are not outcomes', () => {
    const marker = JSON.stringify({
      messageId: 'm-1',
      attempt: 1,
      status: 'started',
      startedAt: '2026-11-28T12:00:00.500Z',
      outcomeDueBy: '2026-11-28T12:05:00.500Z',
      instance: 'pod-1',
    });
    expect(readOutcomeRecord(marker, 0)).toBeNull();
    expect(readOutcomeRecord('not json', 0)).toBeNull();
    expect(
      readOutcomeRecord(JSON.stringify({ messageId: 'm', attempt: 1, status: 'succeeded' }), 0),
    ).toBeNull();
  });
});
