/** What a failed TLS handshake means to an operator, from the error code Node (OpenSSL) gives it. */
export interface TlsFailure {
  /** Node's error code, e.g. `CERT_HAS_EXPIRED`. */
  readonly code: string;
  /** What is wrong, in words, e.g. `the server's certificate has expired`. */
  readonly reason: string;
}

const UNTRUSTED = "the server's certificate is not signed by a trusted CA (certificate verify failed)";

// Node's codes for a certificate the client refused (OpenSSL's X509_V_ERR_* names, plus Node's own host check) and
// for a server that does not speak TLS at all. Anything else (refused, reset, timeout) is not a TLS failure.
const REASONS: Readonly<Record<string, string>> = {
  CERT_HAS_EXPIRED: "the server's certificate has expired",
  CERT_NOT_YET_VALID: "the server's certificate is not valid yet",
  CERT_REVOKED: "the server's certificate has been revoked",
  ERR_TLS_CERT_ALTNAME_INVALID: "the server's certificate does not name this host",
  HOSTNAME_MISMATCH: "the server's certificate does not name this host",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNTRUSTED,
  SELF_SIGNED_CERT_IN_CHAIN: UNTRUSTED,
  DEPTH_ZERO_SELF_SIGNED_CERT: UNTRUSTED,
  CERT_UNTRUSTED: UNTRUSTED,
  CERT_REJECTED: UNTRUSTED,
  CERT_SIGNATURE_FAILURE: UNTRUSTED,
  UNABLE_TO_DECRYPT_CERT_SIGNATURE: UNTRUSTED,
  INVALID_CA: UNTRUSTED,
  ERR_SSL_WRONG_VERSION_NUMBER: 'the server did not answer in TLS (is it a plaintext port?)',
  ERR_SSL_PACKET_LENGTH_TOO_LONG: 'the server did not answer in TLS (is it a plaintext port?)',
};

/**
 * Recognises a failed TLS handshake by its error code, so the Kafka and HTTP clients can report it as a
 * configuration problem (a CA file, an expired or misnamed certificate) rather than as an unreachable server.
 *
 * @returns the failure, or null when `code` is not a TLS handshake failure
 */
export function tlsFailure(code: unknown): TlsFailure | null {
  if (typeof code !== 'string' || !Object.hasOwn(REASONS, code)) return null;
  return { code, reason: REASONS[code] as string };
}
