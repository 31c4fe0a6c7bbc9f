import { SettingsError } from '../settings/settings-error';
import { messageLogLine } from './message-log-line';
import { createServiceLogger, parseLogSettings } from './service-logger';

describe('parseLogSettings', () => {
  it('writes JSON at level log by default', () => {
    expect(parseLogSettings({})).toEqual({ format: 'json', level: 'log' });
  });

  it('refuses an unknown format or level', () => {
    expect(() => parseLogSettings({ LOG_FORMAT: 'xml' })).toThrow(SettingsError);
    expect(() => parseLogSettings({ LOG_LEVEL: 'chatty' })).toThrow(/LOG_LEVEL/);
  });
});

describe('createServiceLogger', () => {
  let written: string[];
  let spy: jest.SpyInstance;

  beforeEach(() => {
    written = [];
    spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      written.push(String(chunk));
      return true;
    });
  });

  afterEach(() => spy.mockRestore());

  it('writes one JSON object per line, with level and context', () => {
    createServiceLogger({ format: 'json', level: 'log' }).log('poll done', 'Poller');
    expect(written).toHaveLength(1);
    expect(JSON.parse(written[0] as string)).toMatchObject({
      level: 'log',
      context: 'Poller',
      message: 'poll done',
    });
  });

  it('leaves out levels below the one set', () => {
    const logger = createServiceLogger({ format: 'json', level: 'warn' });
    logger.log('hidden');
    logger.debug('hidden too');
    logger.warn('shown');
    expect(written.map((line) => JSON.parse(line).message)).toEqual(['shown']);
  });

  describe('when a line is about a message', () => {
    const line = messageLogLine('not executed: illegal command name', {
      messageId: 'm-1',
      command: 'Bad Name',
      attempt: 2,
      correlationId: 'c-9',
    });

    it('writes messageId, command, attempt and correlationId as fields of their own', () => {
      createServiceLogger({ format: 'json', level: 'log' }).warn(line, 'CommandDispatcher');
      expect(JSON.parse(written[0] as string)).toMatchObject({
        level: 'warn',
        context: 'CommandDispatcher',
        message: 'not executed: illegal command name',
        messageId: 'm-1',
        command: 'Bad Name',
        attempt: 2,
        correlationId: 'c-9',
      });
    });

    it('leaves out the fields it was not given', () => {
      createServiceLogger({ format: 'json', level: 'log' }).log(messageLogLine('done', { messageId: 'm-2' }));
      const parsed = JSON.parse(written[0] as string);
      expect(parsed).toMatchObject({ message: 'done', messageId: 'm-2' });
      expect(Object.keys(parsed)).not.toEqual(expect.arrayContaining(['command']));
    });

    it('reads as its text wherever a logger makes a string of it', () => {
      expect(String(line)).toBe('not executed: illegal command name');
      expect(`${line}`).toBe('not executed: illegal command name');
    });

    it('puts the fields after the text in the text format', () => {
      createServiceLogger({ format: 'text', level: 'log' }).log(line, 'Executor');
      expect(written.join('')).toContain(
        'not executed: illegal command name [messageId=m-1 command=Bad Name attempt=2 correlationId=c-9]',
      );
    });
  });
});
