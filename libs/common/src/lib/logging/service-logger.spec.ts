import { SettingsError } from '../settings/settings-error';
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
});
