import { DEFAULT_SHUTDOWN_DEADLINE_MS, parseLifecycleSettings } from './lifecycle-settings';
import { SettingsError } from './settings-error';

describe('parseLifecycleSettings', () => {
  it('gives a shutdown 20 s by default', () => {
    expect(parseLifecycleSettings('executor', {})).toEqual({
      shutdownDeadlineMs: DEFAULT_SHUTDOWN_DEADLINE_MS,
    });
    expect(DEFAULT_SHUTDOWN_DEADLINE_MS).toBe(20_000);
  });

  it('takes SHUTDOWN_DEADLINE_MS', () => {
    expect(parseLifecycleSettings('executor', { SHUTDOWN_DEADLINE_MS: '5000' })).toEqual({
      shutdownDeadlineMs: 5_000,
    });
  });

  it('refuses a deadline too short to drain anything', () => {
    expect(() => parseLifecycleSettings('executor', { SHUTDOWN_DEADLINE_MS: '10' })).toThrow(SettingsError);
  });
});
