import { SettingsError } from '@smartlink/common';
import { SimDefaults, parseSimSettings } from './sim-settings';

function settingsError(env: Record<string, string>): SettingsError {
  try {
    parseSimSettings(env);
  } catch (error) {
    if (error instanceof SettingsError) return error;
    throw error;
  }
  throw new Error('expected a SettingsError');
}

describe('parseSimSettings', () => {
  it('boots with defaults: one demo client, a random signing secret, no faults', () => {
    const a = parseSimSettings({});
    expect(a).toMatchObject({
      SIM_PORT: SimDefaults.port,
      SIM_HOST: '127.0.0.1',
      SIM_TOKEN_TTL_S: 3600,
      SIM_VISIBILITY_TIMEOUT_MS: 30_000,
      SIM_FAULTS: { rules: [], tokenTtlS: null },
      SIM_DEMO_RATE: 0,
      SIM_DEMO_COMMANDS: ['DemoPing'],
    });
    expect(a.SIM_CLIENTS).toHaveLength(1);
    expect(a.SIM_JWT_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(parseSimSettings({}).SIM_JWT_SECRET).not.toBe(a.SIM_JWT_SECRET);
  });

  it('reads clients, faults and demo traffic', () => {
    const settings = parseSimSettings({
      SIM_CLIENTS: 'a:sa:tenant-a, b:sb:tenant-b',
      SIM_FAULTS: '{"rules":[{"kind":"throttle","endpoints":["get"],"probability":0.1}],"tokenTtlS":5}',
      SIM_DEMO_RATE: '2.5',
      SIM_DEMO_COMMANDS: 'HrEmployeeUpdated, FinTitlePaid',
    });
    expect(settings.SIM_CLIENTS).toEqual([
      { clientId: 'a', clientSecret: 'sa', tenantId: 'tenant-a' },
      { clientId: 'b', clientSecret: 'sb', tenantId: 'tenant-b' },
    ]);
    expect(settings.SIM_FAULTS).toEqual({
      rules: [{ kind: 'throttle', endpoints: ['get'], probability: 0.1, retryAfter: '1' }],
      tokenTtlS: 5,
    });
    expect(settings.SIM_DEMO_RATE).toBe(2.5);
    expect(settings.SIM_DEMO_COMMANDS).toEqual(['HrEmployeeUpdated', 'FinTitlePaid']);
  });

  it('says which client entry is wrong without echoing its secret', () => {
    const error = settingsError({ SIM_CLIENTS: 'ok:secret-ok:t, broken-with-hunter2' });
    expect(error.message).toContain('SIM_CLIENTS');
    expect(error.message).toContain('entry 2');
    expect(error.message).not.toContain('hunter2');
  });

  it('says what is wrong in SIM_FAULTS', () => {
    expect(settingsError({ SIM_FAULTS: '{nope' }).message).toContain('not JSON');
    expect(settingsError({ SIM_FAULTS: '{"rules":[{"kind":"error","status":200}]}' }).message).toContain(
      'rules.0.status',
    );
  });

  it('refuses illegal demo commands and a short signing secret', () => {
    const error = settingsError({ SIM_DEMO_COMMANDS: 'ok,not ok', SIM_JWT_SECRET: 'short' });
    expect(error.problems.map((p) => p.key).sort()).toEqual(['SIM_DEMO_COMMANDS.1', 'SIM_JWT_SECRET']);
  });
});
