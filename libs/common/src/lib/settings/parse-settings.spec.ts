import { z } from 'zod';
import { SettingsError } from './settings-error';
import { booleanSetting, numberSetting, parseSettings } from './parse-settings';

const schema = z.object({
  PORT: numberSetting({ min: 1, max: 65535, default: 8080 }).describe('a TCP port, 1-65535'),
  SECRET: z.string().min(8).describe('at least 8 characters'),
  VERBOSE: booleanSetting(false),
});

function captureError(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to throw');
}

describe('parseSettings', () => {
  it('returns typed values with defaults applied', () => {
    const settings = parseSettings('test', schema, { SECRET: 'abcdefgh' });
    expect(settings).toEqual({ PORT: 8080, SECRET: 'abcdefgh', VERBOSE: false });
  });

  it('coerces numbers and booleans from strings', () => {
    const settings = parseSettings('test', schema, { SECRET: 'abcdefgh', PORT: '9000', VERBOSE: 'yes' });
    expect(settings.PORT).toBe(9000);
    expect(settings.VERBOSE).toBe(true);
  });

  describe('when values are wrong', () => {
    it('lists every bad key with the hint that says how to fix it', () => {
      const error = captureError(() =>
        parseSettings('demo', schema, { PORT: '70000', SECRET: 'short', VERBOSE: 'maybe' }),
      ) as SettingsError;
      expect(error).toBeInstanceOf(SettingsError);
      expect(error.code).toBe('INVALID_SETTINGS');
      expect(error.retriable).toBe(false);
      expect(error.problems.map((p) => p.key).sort()).toEqual(['PORT', 'SECRET', 'VERBOSE']);
      expect(error.message).toContain('Invalid demo settings');
      expect(error.message).toContain('PORT');
      expect(error.message).toContain('a TCP port, 1-65535');
    });

    it('says what to write for a number or a boolean, not only what is wrong', () => {
      const problems = (env: Record<string, string>) =>
        (
          captureError(() => parseSettings('demo', schema, { SECRET: 'abcdefgh', ...env })) as SettingsError
        ).problems
          .map((p) => p.problem)
          .join('; ');
      expect(problems({ PORT: 'eighty' })).toBe('not a number');
      expect(problems({ PORT: '80.5' })).toBe('not a whole number');
      expect(problems({ PORT: '0' })).toBe('below 1');
      expect(problems({ PORT: '65536' })).toBe('above 65535');
      expect(problems({ VERBOSE: 'maybe' })).toBe(
        'not a boolean: write true or false (1/0, yes/no and on/off work too)',
      );
    });

    it('says a required setting is not set, rather than that undefined is not a string', () => {
      const error = captureError(() => parseSettings('demo', schema, {})) as SettingsError;
      expect(error.problems).toEqual([
        { key: 'SECRET', problem: 'required, but not set', hint: 'at least 8 characters' },
      ]);
    });

    it('never echoes the offending value, which may be a secret', () => {
      const error = captureError(() => parseSettings('demo', schema, { SECRET: 'hunter2' }));
      expect(error).toBeInstanceOf(SettingsError);
      expect(error.message).not.toContain('hunter2');
    });
  });
});
