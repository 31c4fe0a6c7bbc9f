import { parseRetryAfter } from './retry-after';

const NOW = Date.parse('2024-05-01T12:00:00Z');

describe('parseRetryAfter', () => {
  it('reads delay-seconds', () => {
    expect(parseRetryAfter('3', NOW)).toBe(3000);
    expect(parseRetryAfter(' 0 ', NOW)).toBe(0);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    expect(parseRetryAfter('Wed, 01 May 2024 12:00:05 GMT', NOW)).toBe(5000);
    expect(parseRetryAfter('Wed, 01 May 2024 11:00:00 GMT', NOW)).toBe(0);
  });

  it('takes the first of repeated headers', () => {
    expect(parseRetryAfter(['2', '9'], NOW)).toBe(2000);
  });

  it.each([undefined, '', '-1', '1.5', 'soon', 'Xyz, 99 Foo'])('returns null for %p', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeNull();
  });
});
