import { MAX_LOG_MESSAGE_LENGTH } from '@smartlink/messaging';
import { LogType } from '@smartlink/rm-tables';
import { toStorableLog, type LooseLogRecord } from './storable-log';

const KAFKA_TIME = Date.parse('2026-03-01T10:00:00.000Z');
const NOW = new Date('2026-03-01T10:00:05.000Z');
const context = { recordTimestamp: KAFKA_TIME, now: NOW };

function record(overrides: Partial<LooseLogRecord> = {}): LooseLogRecord {
  return {
    messageId: 'msg-1',
    type: LogType.Info,
    message: 'Executed attempt 1 of message msg-1: succeeded',
    date: '2026-03-01T09:59:59.123Z',
    source: 'executor',
    ...overrides,
  };
}

describe('toStorableLog', () => {
  it('keeps a well-formed record as is, with its source as the first line of DATADEBUG', () => {
    const { log, repairs } = toStorableLog(record({ debug: 'stack...' }), context);
    expect(repairs).toEqual([]);
    expect(log).toEqual({
      messageId: 'msg-1',
      type: LogType.Info,
      message: 'Executed attempt 1 of message msg-1: succeeded',
      date: new Date('2026-03-01T09:59:59.123Z'),
      debug: 'source: executor\nstack...',
    });
  });

  it('stores a record without message id, source or debug with null columns', () => {
    const { log } = toStorableLog(record({ messageId: undefined, source: undefined }), context);
    expect(log.messageId).toBeNull();
    expect(log.debug).toBeNull();
  });

  describe('when a value does not fit its column', () => {
    it('replaces NUL characters, which PostgreSQL text refuses, and says so', () => {
      const { log, repairs } = toStorableLog(
        record({ message: 'a\u0000b', debug: 'x\u0000y', source: 'seg\u0000' }),
        context,
      );
      expect(log.message).toBe('a\uFFFDb');
      expect(log.debug).not.toContain('\u0000');
      expect(log.debug).toContain('x\uFFFDy');
      expect(log.debug).toContain('source: seg\uFFFD');
      expect(repairs).toHaveLength(2);
    });

    it('leaves out a message id with NUL, showing it escaped in DATADEBUG', () => {
      const { log, repairs } = toStorableLog(record({ messageId: 'm\u00001' }), context);
      expect(log.messageId).toBeNull();
      expect(repairs).toEqual([expect.stringContaining('"m\\u00001"')]);
      expect(log.debug).toContain('log-writer: the message id "m\\u00001" holds NUL');
    });

    it('leaves out a message id longer than IDMENSAGEM holds, keeping it in DATADEBUG', () => {
      const id = 'x'.repeat(129);
      const { log, repairs } = toStorableLog(record({ messageId: id }), context);
      expect(log.messageId).toBeNull();
      expect(repairs).toEqual([expect.stringContaining('129 characters')]);
      expect(log.debug).toContain(id);
    });

    it('keeps a message id of exactly 128 characters', () => {
      const id = 'y'.repeat(128);
      expect(toStorableLog(record({ messageId: id }), context).log.messageId).toBe(id);
    });

    it('cuts an over-long text to the contract length', () => {
      const { log, repairs } = toStorableLog(
        record({ message: 'z'.repeat(MAX_LOG_MESSAGE_LENGTH + 5) }),
        context,
      );
      expect(log.message).toHaveLength(MAX_LOG_MESSAGE_LENGTH);
      expect(repairs).toEqual([expect.stringContaining('cut')]);
    });

    it.each([
      ['year 0', '0000-12-31T23:59:59.999Z'],
      ['year 10000', '+010000-01-01T00:00:00.000Z'],
      ['not a date', 'yesterday'],
    ])('uses the Kafka timestamp for a date out of range (%s)', (_, date) => {
      const { log, repairs } = toStorableLog(record({ date }), context);
      expect(log.date).toEqual(new Date(KAFKA_TIME));
      expect(repairs).toEqual([expect.stringContaining('not a storable instant')]);
    });

    it('keeps the first and the last storable instants', () => {
      for (const date of ['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
        const { log, repairs } = toStorableLog(record({ date }), context);
        expect({ date, repairs, stored: log.date.toISOString() }).toEqual({
          date,
          repairs: [],
          stored: date,
        });
      }
    });

    it('falls back to now when neither the date nor the Kafka timestamp can be stored', () => {
      const { log } = toStorableLog(record({ date: null }), { recordTimestamp: Number.NaN, now: NOW });
      expect(log.date).toEqual(NOW);
    });
  });

  it('notes earlier repairs first', () => {
    const { log, repairs } = toStorableLog(record(), {
      ...context,
      notes: ['the record breaks the contract'],
    });
    expect(repairs).toEqual(['the record breaks the contract']);
    expect(log.debug).toBe('source: executor\nlog-writer: the record breaks the contract');
  });
});
