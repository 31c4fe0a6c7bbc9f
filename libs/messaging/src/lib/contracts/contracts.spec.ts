import { commandMessageCodec, commandMessageRecord, type CommandMessage } from './command-message';
import { deadLetterRecord, deadLetterCodec, type DeadLetter } from './dead-letter';
import { lifecycleEventCodec, lifecycleEventRecord, type LifecycleEvent } from './lifecycle-event';
import { logRecordCodec, logRecordRecord, MAX_LOG_MESSAGE_LENGTH } from './log-record';
import { MalformedEventError } from './malformed-event-error';
import { outboundMessageCodec, outboundMessageRecord } from './outbound-message';
import { MAX_INLINE_LOGS, outcomeCodec, outcomeRecord, type Outcome } from './outcome';
import { SmartLinkHeaders } from './smartlink-headers';

const AT = '2026-11-28T10:00:00.000Z';

const command: CommandMessage = {
  id: 'msg-1',
  command: 'DemoPing',
  tenantId: 'tenant-1',
  correlatedId: 'corr-9',
  attempt: 2,
  data: '{"hello":"ação"}',
  receivedAt: AT,
};

describe('command message', () => {
  it('is keyed by message id and carries id, attempt, command and correlation id as headers', () => {
    const record = commandMessageRecord(command);
    expect(record.key).toBe('msg-1');
    expect(record.headers).toEqual({
      [SmartLinkHeaders.messageId]: 'msg-1',
      [SmartLinkHeaders.attempt]: '2',
      [SmartLinkHeaders.command]: 'DemoPing',
      [SmartLinkHeaders.correlationId]: 'corr-9',
      [SmartLinkHeaders.schema]: 'command-message/v1',
    });
    expect(commandMessageCodec.decode(Buffer.from(record.value))).toEqual({ ok: true, value: command });
  });

  it('leaves the correlation header out when there is none', () => {
    const record = commandMessageRecord({ ...command, correlatedId: null });
    expect(record.headers).not.toHaveProperty(SmartLinkHeaders.correlationId);
  });

  it('refuses to encode an illegal command name rather than publish it', () => {
    expect(() => commandMessageCodec.encode({ ...command, command: 'a/b' })).toThrow(MalformedEventError);
  });
});

describe('JsonCodec.decode', () => {
  it('names the bad field', () => {
    const result = commandMessageCodec.decode(JSON.stringify({ ...command, attempt: 0 }));
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error.field).toBe('attempt');
    expect(!result.ok && result.error.code).toBe('MALFORMED_EVENT');
  });

  it('reports bytes that are not JSON, or not UTF-8, without throwing', () => {
    const notJson = commandMessageCodec.decode('{oops');
    const notUtf8 = commandMessageCodec.decode(Buffer.from([0xff, 0xfe, 0x00]));
    expect(!notJson.ok && notJson.error.reason).toBe('not JSON');
    expect(!notUtf8.ok && notUtf8.error.reason).toBe('not valid UTF-8');
  });
});

describe('outcome', () => {
  it('round-trips a success without error', () => {
    const outcome = {
      messageId: 'm',
      attempt: 1,
      status: 'succeeded',
      startedAt: AT,
      finishedAt: AT,
    } as const;
    const record = outcomeRecord(outcome);
    expect(record.key).toBe('m');
    expect(outcomeCodec.decode(Buffer.from(record.value))).toEqual({ ok: true, value: outcome });
  });

  it.each(['failed', 'fatal'] as const)('requires an error when %s', (status) => {
    const result = outcomeCodec.decode(
      JSON.stringify({ messageId: 'm', attempt: 1, status, startedAt: AT, finishedAt: AT }),
    );
    expect(!result.ok && result.error.field).toBe('error');
  });

  it('refuses an unknown status', () => {
    const result = outcomeCodec.decode(
      JSON.stringify({ messageId: 'm', attempt: 1, status: 'done', startedAt: AT, finishedAt: AT }),
    );
    expect(!result.ok && result.error.field).toBe('status');
  });

  it('round-trips the log lines it carries inline', () => {
    const outcome: Outcome = {
      messageId: 'm',
      attempt: 1,
      status: 'succeeded',
      startedAt: AT,
      finishedAt: AT,
      logs: [
        { type: 0, message: 'done', date: AT, source: 'segment:hr' },
        { type: 1, message: 'slow', debug: 'took 2 s', date: AT, source: 'segment:hr' },
      ],
    };
    expect(outcomeCodec.decode(outcomeRecord(outcome).value)).toEqual({ ok: true, value: outcome });
  });

  it(`refuses more than ${MAX_INLINE_LOGS} inline log lines`, () => {
    const line = { type: 0, message: 'x', date: AT, source: 'segment:hr' };
    const result = outcomeCodec.decode(
      JSON.stringify({
        messageId: 'm',
        attempt: 1,
        status: 'succeeded',
        startedAt: AT,
        finishedAt: AT,
        logs: Array.from({ length: MAX_INLINE_LOGS + 1 }, () => line),
      }),
    );
    expect(!result.ok && result.error.field).toBe('logs');
  });

  it('strips keys it does not know, as an executor older than a field does with that field', () => {
    const result = outcomeCodec.decode(
      JSON.stringify({
        messageId: 'm',
        attempt: 1,
        status: 'succeeded',
        startedAt: AT,
        finishedAt: AT,
        later: [1],
      }),
    );
    expect(result).toEqual({
      ok: true,
      value: { messageId: 'm', attempt: 1, status: 'succeeded', startedAt: AT, finishedAt: AT },
    });
  });
});

describe('outbound message', () => {
  it('is keyed by the id the publisher chose', () => {
    const record = outboundMessageRecord('up-1', { command: 'Reply', audience: 'SGDP', data: 'x' });
    expect(record.key).toBe('up-1');
    expect(outboundMessageCodec.decode(Buffer.from(record.value)).ok).toBe(true);
  });

  it('refuses an audience that cannot be a URL path segment', () => {
    expect(() =>
      outboundMessageRecord('up-1', { command: 'Reply', audience: '../admin', data: 'x' }),
    ).toThrow(MalformedEventError);
  });
});

describe('log record', () => {
  it('cuts an over-long message', () => {
    const record = logRecordRecord({ type: 2, message: 'x'.repeat(10_000), date: AT, source: 'poller' });
    const decoded = logRecordCodec.decode(Buffer.from(record.value));
    expect(decoded.ok && decoded.value.message.length).toBe(MAX_LOG_MESSAGE_LENGTH);
    expect(record.key).toBe('poller');
  });
});

describe('dead letter', () => {
  it('falls back to the given key when the message has no id', () => {
    const letter: DeadLetter = {
      messageId: null,
      command: null,
      tenantId: null,
      correlatedId: null,
      direction: 'downstream',
      data: '{not json',
      attempts: 0,
      reason: 'malformed',
      errorCode: 'MALFORMED_MESSAGE',
      lastError: 'Malformed Smart Link message at body: not JSON',
      deadAt: AT,
      source: 'poller',
    };
    const record = deadLetterRecord(letter, 'receipt-7');
    expect(record.key).toBe('receipt-7');
    expect(deadLetterCodec.decode(Buffer.from(record.value))).toEqual({ ok: true, value: letter });
  });
});

describe('lifecycle event', () => {
  it.each<LifecycleEvent>([
    {
      type: 'received',
      messageId: 'm',
      at: AT,
      command: 'DemoPing',
      tenantId: 't',
      correlatedId: null,
      data: '{}',
      source: null,
      occurredAt: null,
      enqueuedAt: AT,
      envelope: 'cloudevents',
    },
    { type: 'dispatched', messageId: 'm', at: AT, command: 'DemoPing', attempt: 1 },
    { type: 'published', messageId: 'm', at: AT, command: 'Reply', audience: 'SGDP', correlatedId: 'c' },
    {
      type: 'retry-scheduled',
      messageId: 'm',
      at: AT,
      command: 'DemoPing',
      direction: 'downstream',
      attempt: 2,
      dueAt: AT,
    },
    {
      type: 'retry-due',
      messageId: 'm',
      at: AT,
      command: 'Reply',
      direction: 'upstream',
      attempt: 3,
      dueAt: AT,
    },
    {
      type: 'dead-lettered',
      messageId: 'm',
      at: AT,
      command: 'DemoPing',
      direction: 'downstream',
      attempts: 5,
      reason: 'attempts-exhausted',
      error: 'boom',
    },
    {
      type: 'redriven',
      messageId: 'm',
      at: AT,
      command: 'DemoPing',
      direction: 'downstream',
      by: 'cli',
      reason: null,
    },
    {
      type: 'failed',
      messageId: 'm',
      at: AT,
      command: 'DemoPing',
      direction: 'downstream',
      attempt: 1,
      error: 'boom',
      startedAt: AT,
      finishedAt: AT,
    },
  ])('round-trips a $type event keyed by message id', (event) => {
    const record = lifecycleEventRecord(event);
    expect(record.key).toBe('m');
    expect(record.headers?.[SmartLinkHeaders.schema]).toBe(`event/${event.type}/v1`);
    expect(lifecycleEventCodec.decode(Buffer.from(record.value))).toEqual({ ok: true, value: event });
  });

  it.each([
    [
      'dispatched',
      '{"type":"dispatched","messageId":"m","at":"2026-11-28T10:00:00.000Z","command":"DemoPing","attempt":1}',
    ],
    [
      'succeeded',
      '{"type":"succeeded","messageId":"m","at":"2026-11-28T10:00:00.000Z","command":"DemoPing",' +
        '"direction":"downstream","attempt":1,"error":null,"startedAt":"2026-11-28T10:00:00.000Z",' +
        '"finishedAt":"2026-11-28T10:00:00.000Z"}',
    ],
  ])('still decodes a %s event as an older version wrote it, though none is produced now', (type, json) => {
    const result = lifecycleEventCodec.decode(json);
    expect(result).toMatchObject({ ok: true, value: { type, messageId: 'm', attempt: 1 } });
  });

  it('refuses an unknown event type', () => {
    const result = lifecycleEventCodec.decode(JSON.stringify({ type: 'exploded', messageId: 'm', at: AT }));
    expect(result.ok).toBe(false);
  });
});
