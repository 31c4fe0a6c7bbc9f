import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SettingsError } from '@smartlink/common';
import { parseSmartLinkSettings } from '../settings/smartlink-settings';
import { createSmartLinkClient } from './create-smartlink-client';

const base = {
  SMARTLINK_RAC_URL: 'https://rac.test',
  SMARTLINK_API_URL: 'https://link.test/api/v1',
  SMARTLINK_CLIENT_ID: 'client-1',
  SMARTLINK_CLIENT_SECRET: 'secret',
};

describe('createSmartLinkClient', () => {
  it('builds a client with its own pool, closed with the client', async () => {
    const client = createSmartLinkClient(parseSmartLinkSettings(base));
    await expect(client.close()).resolves.toBeUndefined();
  });

  // That the CA file is trusted in a real handshake (and that Node's own CAs stay trusted beside it) is shown by
  // test/https-cloud.int-spec.ts against an HTTPS server with a certificate of a CA made for the run.
  it('refuses a CA file that holds no certificate it can use, at start-up', () => {
    const dir = mkdtempSync(join(tmpdir(), 'smartlink-ca-'));
    const caFile = join(dir, 'ca.pem');
    writeFileSync(caFile, 'not a certificate\n');
    expect(() =>
      createSmartLinkClient(parseSmartLinkSettings({ ...base, SMARTLINK_TLS_CA_FILE: caFile })),
    ).toThrow(SettingsError);
  });

  it('stops start-up with a SettingsError when the CA file cannot be read', () => {
    const settings = parseSmartLinkSettings({ ...base, SMARTLINK_TLS_CA_FILE: '/nonexistent/ca.pem' });
    expect(() => createSmartLinkClient(settings)).toThrow(SettingsError);
    expect(() => createSmartLinkClient(settings)).toThrow(
      /SMARTLINK_TLS_CA_FILE: cannot read the file \(ENOENT\)/,
    );
  });
});
