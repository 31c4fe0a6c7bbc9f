import { formatAge } from './format-age';

describe('formatAge', () => {
  it.each([
    [0, '0s'],
    [-5_000, '0s'],
    [999, '0s'],
    [59_999, '59s'],
    [60_000, '1m00s'],
    [125_000, '2m05s'],
    [3_600_000, '1h00m'],
    [3 * 3_600_000 + 10 * 60_000 + 59_000, '3h10m'],
    [2 * 86_400_000 + 4 * 3_600_000, '2d04h'],
  ])('reads %d ms as %s', (ms, text) => {
    expect(formatAge(ms)).toBe(text);
  });
});
