import { SecretValue, SmartLinkError } from '@smartlink/common';
import { LogRedactor } from './log-redactor';

describe('LogRedactor', () => {
  const redactor = new LogRedactor([new SecretValue('s3cr3t-client-secret')]);

  it('names our errors by code', () => {
    expect(redactor.errorText(new SmartLinkError('THROTTLED', 'slow down', true))).toBe(
      'THROTTLED: slow down',
    );
  });

  it('never lets the client secret, a bearer token or a JWT through', () => {
    const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjbGllbnQifQ.c2lnbmF0dXJlLXZhbHVl';
    const text = redactor.errorText(
      new Error(`failed with secret s3cr3t-client-secret, header Authorization: Bearer abc.def and ${jwt}`),
    );
    expect(text).not.toContain('s3cr3t-client-secret');
    expect(text).not.toContain('abc.def');
    expect(text).not.toContain(jwt);
    expect(text).toBe(
      'Error: failed with secret [redacted], header Authorization: Bearer [redacted] and [redacted]',
    );
  });

  it('bounds the text', () => {
    expect(redactor.errorText(new Error('x'.repeat(5_000))).length).toBeLessThanOrEqual(1_001);
  });

  it('describes values that are not errors', () => {
    expect(redactor.errorText('plain')).toBe('plain');
  });
});
