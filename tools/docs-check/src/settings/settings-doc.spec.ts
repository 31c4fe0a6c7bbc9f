import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SERVICES } from './service-entry-points';
import { minimalEnv } from './minimal-env';
import { readServiceSettings, type ServiceSettings } from './settings-reader';
import { readSettingsTable, type SettingsRow } from './settings-table';

const ROOT = join(__dirname, '../../../..');
const CLIENT = ['poller', 'executor', 'retry-scheduler', 'log-writer'];
const ALIASES = { client: CLIENT, all: [...SERVICES] };

/** The words of a table cell, so `5` matches the default `5` but not `500`. */
function tokens(cell: string): string[] {
  return cell.split(/[\s`,;()]+/).filter((t) => t.length > 0);
}

describe('docs/settings.md', () => {
  let code: ServiceSettings;
  let rows: SettingsRow[];
  const row = (name: string) => rows.find((r) => r.name === name);

  beforeAll(() => {
    code = readServiceSettings(ROOT, minimalEnv);
    rows = readSettingsTable(readFileSync(join(ROOT, 'docs/settings.md'), 'utf8'), ALIASES);
  });

  it('finds the settings the services read (the check itself works)', () => {
    expect(code.poller.has('SMARTLINK_SUBSCRIPTIONS')).toBe(true);
    expect(code['smartlink-sim'].has('SIM_PORT')).toBe(true);
    expect(code['log-writer'].has('DB_TYPE')).toBe(true);
    expect(rows.length).toBeGreaterThan(50);
  });

  it('lists every environment variable a service reads, and no other', () => {
    const read = new Set(SERVICES.flatMap((service) => [...code[service].keys()]));
    const listed = rows.map((r) => r.name);
    expect({ missing: [...read].filter((n) => !listed.includes(n)).sort() }).toEqual({ missing: [] });
    expect({ stale: listed.filter((n) => !read.has(n)).sort() }).toEqual({ stale: [] });
    expect({ duplicated: listed.filter((n, i) => listed.indexOf(n) !== i) }).toEqual({ duplicated: [] });
  });

  it('names the services that read each setting', () => {
    const wrong = rows
      .map((r) => ({
        name: r.name,
        listed: [...r.services].sort(),
        reading: SERVICES.filter((s) => code[s].has(r.name)).sort(),
      }))
      .filter((r) => r.listed.join() !== r.reading.join());
    expect(wrong).toEqual([]);
  });

  it('gives the default each service really has, or says the setting is required', () => {
    const wrong: string[] = [];
    for (const service of SERVICES) {
      for (const [name, setting] of code[service]) {
        const cell = row(name)?.defaultValue ?? '';
        if (setting.defaultValue !== undefined && !tokens(cell).includes(setting.defaultValue)) {
          wrong.push(`${name} in ${service}: default ${setting.defaultValue}, the table says "${cell}"`);
        }
        if (setting.required && !tokens(cell).includes('required')) {
          wrong.push(`${name} in ${service}: required, the table says "${cell}"`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('fills every cell', () => {
    expect(rows.filter((r) => [r.defaultValue, r.allowed, r.meaning].some((cell) => cell === ''))).toEqual(
      [],
    );
  });

  it('has every setting validated at boot with a hint that says how to fix it', () => {
    const unchecked = SERVICES.flatMap((service) =>
      [...code[service]]
        .filter(([, setting]) => !setting.validated || !setting.hint)
        .map(([name]) => `${name} in ${service}`),
    );
    expect(unchecked).toEqual([]);
  });
});
