import { tlsFailure } from './tls-failure';

describe('tlsFailure', () => {
  it('says an expired certificate has expired', () => {
    expect(tlsFailure('CERT_HAS_EXPIRED')).toEqual({
      code: 'CERT_HAS_EXPIRED',
      reason: "the server's certificate has expired",
    });
  });

  it.each(['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT'])(
    'says a certificate of an unknown CA (%s) failed verification',
    (code) => {
      expect(tlsFailure(code)?.reason).toContain('certificate verify failed');
    },
  );

  it('says a certificate for another host does not name it', () => {
    expect(tlsFailure('ERR_TLS_CERT_ALTNAME_INVALID')?.reason).toContain('does not name this host');
  });

  it.each([undefined, 42, 'ECONNREFUSED', 'ECONNRESET', 'toString', 'hasOwnProperty'])(
    'does not take %p for a TLS failure',
    (code) => {
      expect(tlsFailure(code)).toBeNull();
    },
  );
});
