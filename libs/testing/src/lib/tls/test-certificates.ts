import 'reflect-metadata'; // @peculiar/x509 resolves its services through tsyringe, which needs the Reflect polyfill
import { webcrypto } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';

/** Where {@link createTestCertificates} wrote each PEM file. */
export interface TestCertificateFiles {
  /** The test CA's certificate: what a client trusts (KAFKA_SSL_CA_FILE, SMARTLINK_TLS_CA_FILE). */
  readonly caFile: string;
  /** A second CA that signed nothing the servers present: trusting it alone must fail the handshake. */
  readonly otherCaFile: string;
  /** The server's PKCS#8 private key, then its certificate (localhost, 127.0.0.1, ::1), valid now. */
  readonly serverKeystoreFile: string;
  /** The same key, then a certificate of the test CA for the same names that expired yesterday. */
  readonly expiredKeystoreFile: string;
  /** PEM texts, for servers that take them in memory (node:https). */
  readonly pem: {
    readonly ca: string;
    readonly otherCa: string;
    readonly serverKey: string;
    readonly serverCert: string;
    readonly expiredServerCert: string;
  };
}

const ALGORITHM: webcrypto.EcKeyGenParams & webcrypto.EcdsaParams = {
  name: 'ECDSA',
  namedCurve: 'P-256',
  hash: 'SHA-256',
};
const DAY_MS = 24 * 60 * 60 * 1000;
const crypto = webcrypto as unknown as Crypto;

/**
 * Generates, at run time, the certificates a TLS test needs and writes them as PEM files into `dir`: a test CA, a
 * server certificate it signed for localhost/127.0.0.1/::1, a second unrelated CA and an expired server certificate.
 * Each keystore file holds the private key (PKCS#8, unencrypted) followed by the certificate, the layout Kafka's
 * `ssl.keystore.type=PEM` reads.
 *
 * Made with `@peculiar/x509` on Node's WebCrypto rather than the `openssl` CLI: the project needs only Node, Java and
 * Maven on a developer machine, and an expired certificate needs a validity in the past, which `openssl x509 -req`
 * (3.0) cannot set without a whole `openssl ca` database. ECDSA P-256 keys are generated in milliseconds.
 */
export async function createTestCertificates(dir: string): Promise<TestCertificateFiles> {
  mkdirSync(dir, { recursive: true });
  const now = Date.now();
  const ca = await selfSignedCa('CN=Smart Link Test CA', now);
  const otherCa = await selfSignedCa('CN=Unrelated Test CA', now);
  const serverKeys = await generateKeys();
  const serverCert = await serverCertificate(ca, serverKeys, now - DAY_MS, now + 30 * DAY_MS);
  const expiredServerCert = await serverCertificate(ca, serverKeys, now - 30 * DAY_MS, now - DAY_MS);
  const serverKey = await privateKeyPem(serverKeys.privateKey);

  const pem = {
    ca: ca.cert.toString('pem'),
    otherCa: otherCa.cert.toString('pem'),
    serverKey,
    serverCert: serverCert.toString('pem'),
    expiredServerCert: expiredServerCert.toString('pem'),
  };
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text, { mode: 0o600 });
    return file;
  };
  return {
    caFile: write('ca.pem', `${pem.ca}\n`),
    otherCaFile: write('other-ca.pem', `${pem.otherCa}\n`),
    serverKeystoreFile: write('server-keystore.pem', `${serverKey}\n${pem.serverCert}\n`),
    expiredKeystoreFile: write('expired-keystore.pem', `${serverKey}\n${pem.expiredServerCert}\n`),
    pem,
  };
}

interface Authority {
  readonly cert: x509.X509Certificate;
  readonly keys: webcrypto.CryptoKeyPair;
}

function generateKeys(): Promise<webcrypto.CryptoKeyPair> {
  return crypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
}

async function selfSignedCa(name: string, now: number): Promise<Authority> {
  const keys = await generateKeys();
  const cert = await x509.X509CertificateGenerator.createSelfSigned(
    {
      name,
      keys,
      notBefore: new Date(now - DAY_MS),
      notAfter: new Date(now + 30 * DAY_MS),
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(true, 0, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  return { cert, keys };
}

async function serverCertificate(
  ca: Authority,
  keys: webcrypto.CryptoKeyPair,
  notBefore: number,
  notAfter: number,
): Promise<x509.X509Certificate> {
  return x509.X509CertificateGenerator.create(
    {
      subject: 'CN=localhost',
      issuer: ca.cert.subject,
      publicKey: keys.publicKey,
      signingKey: ca.keys.privateKey,
      notBefore: new Date(notBefore),
      notAfter: new Date(notAfter),
      signingAlgorithm: ALGORITHM,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([
          { type: 'dns', value: 'localhost' },
          { type: 'ip', value: '127.0.0.1' },
          { type: 'ip', value: '::1' },
        ]),
        await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
}

async function privateKeyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await crypto.subtle.exportKey('pkcs8', key));
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----`;
}
