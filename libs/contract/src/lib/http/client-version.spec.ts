import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SMARTLINK_CLIENT_VERSION, SMARTLINK_USER_AGENT } from './client-version';

describe('SMARTLINK_CLIENT_VERSION', () => {
  it('is the workspace version, so the User-Agent tells builds apart', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../../../../package.json'), 'utf8')) as {
      version: string;
    };
    expect(SMARTLINK_CLIENT_VERSION).toBe(pkg.version);
    expect(SMARTLINK_USER_AGENT).toBe(`smartlink-client/${pkg.version}`);
  });
});
