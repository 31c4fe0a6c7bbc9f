import { MAX_INLINE_LOG_BYTES, MAX_INLINE_LOGS, type LogRecord } from '@smartlink/messaging';
import { splitInlineLogs } from './inline-logs';

const AT = '2026-11-28T10:00:00.000Z';
const line = (message: string, messageId = 'm-1'): LogRecord => ({
  messageId,
  type: 0,
  message,
  date: AT,
  source: 'segment:hr',
});

describe('splitInlineLogs', () => {
  it('puts the lines of the attempt into its outcome, without the implied message id', () => {
    const debugLine: LogRecord = { ...line('b'), type: 2, debug: 'Error: b\n    at x' };
    expect(splitInlineLogs('m-1', [line('a'), debugLine])).toEqual({
      inline: [
        { type: 0, message: 'a', date: AT, source: 'segment:hr' },
        { type: 2, message: 'b', debug: 'Error: b\n    at x', date: AT, source: 'segment:hr' },
      ],
      separate: [],
    });
  });

  it('leaves a line about another message, or about none, to the logs topic', () => {
    const none: LogRecord = { type: 1, message: 'no message', date: AT, source: 'segment:hr' };
    const { inline, separate } = splitInlineLogs('m-1', [line('a'), line('other', 'm-2'), none, line('b')]);
    expect(inline.map((l) => l.message)).toEqual(['a', 'b']);
    expect(separate).toEqual([line('other', 'm-2'), none]);
  });

  it(`keeps at most ${MAX_INLINE_LOGS} lines inline; the rest go to the logs topic, in order`, () => {
    const logs = Array.from({ length: MAX_INLINE_LOGS + 5 }, (_, i) => line(`line ${i}`));
    const { inline, separate } = splitInlineLogs('m-1', logs);
    expect(inline).toHaveLength(MAX_INLINE_LOGS);
    expect(separate.map((l) => l.message)).toEqual(logs.slice(MAX_INLINE_LOGS).map((l) => l.message));
  });

  it(`keeps at most ${MAX_INLINE_LOG_BYTES} bytes inline; from the first line that does not fit on, none`, () => {
    const big = 'é'.repeat(2_000); // 4,000 bytes of UTF-8
    const logs = [...Array.from({ length: 20 }, () => line(big)), line('small')];
    const { inline, separate } = splitInlineLogs('m-1', logs);
    expect(Buffer.byteLength(JSON.stringify(inline))).toBeLessThanOrEqual(MAX_INLINE_LOG_BYTES);
    expect(inline.length).toBeGreaterThan(10);
    expect(inline.length + separate.length).toBe(21);
    expect(separate.at(-1)?.message).toBe('small');
  });
});
