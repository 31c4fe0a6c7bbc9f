import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCertificates, type TestCertificateFiles } from './test-certificates';

// Checked with node:crypto's own X509Certificate, not with the library that made them.
describe('createTestCertificates', () => {
  let dir: string;
  let files: TestCertificateFiles;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'test-certificates-'));
    files = await createTestCertificates(dir);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const certOf = (pem: string) => new X509Certificate(pem);

  it('signs a server certificate for localhost, 127.0.0.1 and ::1 with the test CA, valid now', () => {
    const ca = certOf(readFileSync(files.caFile, 'utf8'));
    const server = certOf(files.pem.serverCert);
    expect(ca.ca).toBe(true);
    expect(server.verify(ca.publicKey)).toBe(true);
    expect(server.checkHost('localhost')).toBe('localhost');
    expect(server.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(server.subjectAltName).toContain('IP Address:0:0:0:0:0:0:0:1');
    expect(new Date(server.validFrom).getTime()).toBeLessThan(Date.now());
    expect(new Date(server.validTo).getTime()).toBeGreaterThan(Date.now());
  });

  it('makes an expired certificate of the same CA for the same names', () => {
    const expired = certOf(files.pem.expiredServerCert);
    expect(expired.verify(certOf(files.pem.ca).publicKey)).toBe(true);
    expect(expired.checkHost('localhost')).toBe('localhost');
    expect(new Date(expired.validTo).getTime()).toBeLessThan(Date.now());
  });

  it('makes a second CA that did not sign the server certificate', () => {
    const other = certOf(readFileSync(files.otherCaFile, 'utf8'));
    expect(other.ca).toBe(true);
    expect(certOf(files.pem.serverCert).verify(other.publicKey)).toBe(false);
  });

  it('writes keystores as an unencrypted PKCS#8 key followed by the certificate', () => {
    const keystore = readFileSync(files.serverKeystoreFile, 'utf8');
    expect(keystore).toMatch(
      /^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n-----BEGIN CERTIFICATE-----/,
    );
    const key = createPrivateKey(keystore);
    expect(certOf(keystore).checkPrivateKey(key)).toBe(true);
    expect(certOf(readFileSync(files.expiredKeystoreFile, 'utf8')).checkPrivateKey(key)).toBe(true);
  });
});
