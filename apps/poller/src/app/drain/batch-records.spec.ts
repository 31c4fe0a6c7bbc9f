import { IllegalCommandNameError, MalformedMessageError, type ReceivedMessage } from '@smartlink/contract';
import { deadLetterCodec, logRecordCodec, type EventRecord } from '@smartlink/messaging';
import { batchRecords, type BatchRecordsContext } from './batch-records';
import { recordSize } from './record-size';

const CONTEXT: BatchRecordsContext = {
  topics: { received: 'ns.received', deadletter: 'ns.deadletter', logs: 'ns.logs' },
  at: '2026-11-28T10:00:00.000Z',
  maxRecordBytes: 1_000_000,
};

function valid(id: string, data = '{}'): ReceivedMessage {
  return {
    ok: true,
    message: {
      id,
      command: 'DemoPing',
      tenantId: 't',
      correlatedId: 'c-1',
      data,
      source: null,
      occurredAt: null,
      envelope: 'totvs',
      receipt: `r-${id}`,
      deliveryCount: null,
      enqueuedAt: null,
    },
  };
}

const letterOf = (record: EventRecord | undefined) => {
  const decoded = deadLetterCodec.decode(Buffer.from(record?.value ?? ''));
  if (!decoded.ok) throw decoded.error;
  return decoded.value;
};
const topic = (records: ReturnType<typeof batchRecords>, name: string) =>
  records.topicRecords.find((t) => t.topic === name)?.records ?? [];

describe('batchRecords', () => {
  it('leaves out topics with nothing to send', () => {
    const records = batchRecords([valid('m1')], CONTEXT);
    expect(records.topicRecords.map((t) => t.topic)).toEqual(['ns.received']);
    expect(records.receipts).toEqual(['r-m1']);
  });

  it('dead-letters an illegal command name as illegal-command, keyed by the broker id, with an error log', () => {
    const raw = JSON.stringify({ specversion: '1.0', id: 'e-1', type: '../etc/passwd', data: {} });
    const refused: ReceivedMessage = {
      ok: false,
      receipt: 'rc-1',
      messageId: 'broker-1',
      raw,
      error: new IllegalCommandNameError('"../etc/passwd" may hold only A-Z a-z 0-9 . _ -'),
    };

    const records = batchRecords([refused], CONTEXT);

    const [letter] = topic(records, 'ns.deadletter');
    expect(letter?.key).toBe('broker-1');
    expect(letterOf(letter)).toMatchObject({
      reason: 'illegal-command',
      errorCode: 'ILLEGAL_COMMAND_NAME',
      data: raw,
    });
    const [log] = topic(records, 'ns.logs');
    expect(logRecordCodec.decode(Buffer.from(log?.value ?? ''))).toEqual({
      ok: true,
      value: expect.objectContaining({
        messageId: 'broker-1',
        type: 2,
        message: expect.stringContaining('illegal-command'),
        source: 'poller',
      }),
    });
    expect(records.refusals).toEqual([
      expect.objectContaining({ key: 'broker-1', receipt: 'rc-1', reason: 'illegal-command' }),
    ]);
  });

  it('calls a missing command malformed, not illegal', () => {
    const refused: ReceivedMessage = {
      ok: false,
      receipt: 'rc-2',
      messageId: null,
      raw: JSON.stringify({ header: { tenantId: 't' }, content: {} }),
      error: new MalformedMessageError('header.type', 'expected string'),
    };
    const [letter] = topic(batchRecords([refused], CONTEXT), 'ns.deadletter');
    expect(letter?.key).toBe('rc-2');
    expect(letterOf(letter)).toMatchObject({
      messageId: null,
      reason: 'malformed',
      errorCode: 'MALFORMED_MESSAGE',
    });
  });

  it('dead-letters a valid message whose id cannot key the event log, keyed by its receipt', () => {
    const records = batchRecords([valid('x'.repeat(300))], CONTEXT);
    expect(topic(records, 'ns.received')).toEqual([]);
    const [letter] = topic(records, 'ns.deadletter');
    expect(letter?.key).toBe('r-' + 'x'.repeat(300));
    expect(letterOf(letter)).toMatchObject({
      messageId: null,
      reason: 'malformed',
      command: 'DemoPing',
      data: '{}',
    });
    expect(records.receipts).toHaveLength(1);
  });

  it('dead-letters a valid message whose event exceeds the record limit, cut to fit', () => {
    const context = { ...CONTEXT, maxRecordBytes: 4_000 };
    const records = batchRecords([valid('big', '"'.repeat(3_000)), valid('ok')], context);

    expect(topic(records, 'ns.received').map((r) => r.key)).toEqual(['ok']);
    const [letter] = topic(records, 'ns.deadletter');
    expect(recordSize(letter as EventRecord)).toBeLessThanOrEqual(4_000);
    const value = letterOf(letter);
    expect(value).toMatchObject({ messageId: 'big', reason: 'oversize', errorCode: 'EVENT_TOO_LARGE' });
    expect(value.lastError).toContain('data cut to');
    expect('"'.repeat(3_000).startsWith(value.data)).toBe(true);
  });
});
