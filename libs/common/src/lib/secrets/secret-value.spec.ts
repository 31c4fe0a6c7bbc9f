import { inspect } from 'node:util';
import { SecretValue } from './secret-value';

describe('SecretValue', () => {
  const secret = new SecretValue('hunter2');

  it('gives the value only to reveal()', () => {
    expect(secret.reveal()).toBe('hunter2');
  });

  it('prints as [redacted] in strings, JSON and inspect output', () => {
    expect(`${secret}`).toBe('[redacted]');
    expect(JSON.stringify({ password: secret })).toBe('{"password":"[redacted]"}');
    expect(inspect({ password: secret }, { showHidden: true, depth: 5 })).not.toContain('hunter2');
  });
});
