import { X509Certificate } from 'node:crypto';

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/**
 * What is wrong with the text of a CA file (KAFKA_SSL_CA_FILE, SMARTLINK_TLS_CA_FILE), or null when it holds one or
 * more PEM certificates that all parse. Node takes any text as `ca` and only fails later, in every handshake, as
 * "unable to verify the first certificate": checking at start-up names the file instead.
 */
export function pemCertificatesProblem(text: string): string | null {
  const blocks = text.match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) return 'holds no PEM certificate (-----BEGIN CERTIFICATE-----)';
  for (const [index, block] of blocks.entries()) {
    try {
      new X509Certificate(block);
    } catch {
      return `certificate ${index + 1} of ${blocks.length} cannot be parsed`;
    }
  }
  return null;
}
