import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCertificates } from '@smartlink/testing';
import { pemCertificatesProblem } from './pem-certificates';

describe('pemCertificatesProblem', () => {
  let pem: { ca: string; otherCa: string };
  const dir = mkdtempSync(join(tmpdir(), 'pem-certificates-'));
  beforeAll(async () => ({ pem } = await createTestCertificates(dir)));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('accepts a file of one or more certificates', () => {
    expect(pemCertificatesProblem(pem.ca)).toBeNull();
    expect(pemCertificatesProblem(`# our CAs\n${pem.ca}\n${pem.otherCa}\n`)).toBeNull();
  });

  it('refuses text without a certificate', () => {
    expect(pemCertificatesProblem('not a certificate\n')).toBe(
      'holds no PEM certificate (-----BEGIN CERTIFICATE-----)',
    );
  });

  it('refuses a certificate that does not parse, saying which', () => {
    const broken = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----';
    expect(pemCertificatesProblem(`${pem.ca}\n${broken}\n`)).toBe('certificate 2 of 2 cannot be parsed');
  });
});
