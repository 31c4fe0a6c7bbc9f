import { logRecordRecord, type ConsumedMessage } from '@smartlink/messaging';
import { LogType } from '@smartlink/rm-tables';
import { readLogRecords } from './read-log-records';

const NOW = new Date('2026-03-01T10:00:05.000Z');
const KAFKA_TIME = Date.parse('2026-03-01T10:00:00.000Z');

function consumed(value: string | Buffer, offset: number): ConsumedMessage {
  return {
    topic: 'ns.logs',
    partition: 1,
    offset: String(offset),
    key: null,
    value: Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8'),
    headers: {},
    timestamp: KAFKA_TIME,
  };
}

function logRecord(messageId: string, offset: number): ConsumedMessage {
  const { value } = logRecordRecord({
    messageId,
    type: 2,
    message: `attempt of ${messageId} failed`,
    date: '2026-03-01T09:00:00.000Z',
    source: 'executor',
  });
  return consumed(value, offset);
}

describe('readLogRecords', () => {
  it('turns contract records into rows, in offset order', () => {
    const { rows, undecodable, repaired } = readLogRecords([logRecord('a', 1), logRecord('b', 2)], NOW);
    expect(rows).toEqual([
      {
        messageId: 'a',
        type: LogType.Error,
        message: 'attempt of a failed',
        date: new Date('2026-03-01T09:00:00.000Z'),
        debug: 'source: executor',
      },
      expect.objectContaining({ messageId: 'b' }),
    ]);
    expect(undecodable).toEqual([]);
    expect(repaired).toEqual([]);
  });

  describe('when a record is not a log record at all', () => {
    it.each([
      ['not JSON', '{"type": 0,'],
      ['not valid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d])],
      ['no log record: type', '{"type": 7, "message": "x"}'],
      ['no log record: message', '{"type": 0}'],
      ['no log record: value', '[1, 2]'],
    ])('reports it (%s) and keeps the good records beside it', (reason, value) => {
      const bad = consumed(value, 2);
      const { rows, undecodable } = readLogRecords([logRecord('a', 1), bad, logRecord('c', 3)], NOW);
      expect(rows.map((r) => r.messageId)).toEqual(['a', 'c']);
      expect(undecodable).toEqual([{ record: bad, reason: expect.stringContaining(reason) }]);
    });
  });

  describe('when a record breaks the contract but has a severity and a text', () => {
    it('writes it anyway, repaired, with the breach in DATADEBUG', () => {
      const longId = 'i'.repeat(300);
      const odd = consumed(
        JSON.stringify({ type: 1, message: 'disk almost full', messageId: longId, date: 'garbage' }),
        5,
      );
      const { rows, repaired, undecodable } = readLogRecords([odd], NOW);
      expect(undecodable).toEqual([]);
      expect(rows).toEqual([
        {
          messageId: null,
          type: LogType.Warning,
          message: 'disk almost full',
          date: new Date(KAFKA_TIME),
          debug: expect.stringContaining('log-writer: the record breaks the log-record contract'),
        },
      ]);
      expect(repaired).toEqual([{ record: odd, repairs: expect.arrayContaining([expect.any(String)]) }]);
      expect(repaired[0]?.repairs).toHaveLength(3);
    });
  });

  it('counts a contract record whose text holds NUL as repaired', () => {
    const { value } = logRecordRecord({
      type: 0,
      message: 'zero\u0000byte',
      date: '2026-03-01T09:00:00.000Z',
      source: 'segment:hr',
    });
    const { rows, repaired } = readLogRecords([consumed(value, 9)], NOW);
    expect(rows[0]?.message).toBe('zero\uFFFDbyte');
    expect(repaired).toHaveLength(1);
  });
});
