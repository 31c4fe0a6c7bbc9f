import { isMessageLogLine } from '@smartlink/common';
import { fixedClock } from '../../../test/unit-doubles';
import { AttemptLogger } from './attempt-logger';

describe('AttemptLogger', () => {
  it('writes stdout lines that carry the message id, command, attempt and correlation id as fields', () => {
    const lines: unknown[] = [];
    const stdout = {
      log: (line: unknown) => lines.push(line),
      warn: (line: unknown) => lines.push(line),
      error: (line: unknown) => lines.push(line),
      debug: (line: unknown) => lines.push(line),
    };
    const logger = new AttemptLogger(
      'segment:hr',
      { id: 'm-1', command: 'DemoPing', attempt: 2, correlatedId: 'c-1' },
      stdout,
      fixedClock,
    );

    logger.warn('slow answer');

    expect(lines).toHaveLength(1);
    const [line] = lines;
    expect(isMessageLogLine(line)).toBe(true);
    expect(line).toEqual({
      message: 'DemoPing m-1 attempt 2: slow answer',
      messageId: 'm-1',
      command: 'DemoPing',
      attempt: 2,
      correlationId: 'c-1',
    });
    expect(logger.records).toEqual([
      expect.objectContaining({ messageId: 'm-1', type: 1, message: 'slow answer' }),
    ]);
  });
});
