import { IllegalAudienceError, MAX_AUDIENCE_LENGTH, isAudience, parseAudience } from './audience-name';

describe('parseAudience', () => {
  it.each(['SGDP', 'recorrencia', 'gestao-de-recorrencia', 'techfin-conta-digital', 'LinkProxy'])(
    'accepts the seen audience %s',
    (audience) => {
      expect(parseAudience(audience)).toBe(audience);
    },
  );

  it.each([
    ['empty', ''],
    ['a slash', 'a/b'],
    ['a query', 'a?x=1'],
    ['a percent', 'a%2F'],
    ['too long', 'x'.repeat(MAX_AUDIENCE_LENGTH + 1)],
  ])('rejects %s with a stable, final error', (_label, audience) => {
    expect(() => parseAudience(audience)).toThrow(IllegalAudienceError);
    expect(isAudience(audience)).toBe(false);
  });

  it('says the code and that retrying is useless', () => {
    const error = new IllegalAudienceError('x');
    expect(error.code).toBe('ILLEGAL_AUDIENCE');
    expect(error.retriable).toBe(false);
  });
});
