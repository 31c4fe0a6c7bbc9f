import {
  IllegalCommandNameError,
  MAX_COMMAND_NAME_LENGTH,
  isCommandName,
  parseCommandName,
} from './command-name';

describe('parseCommandName', () => {
  it.each(['SGDPDataCommand', 'PartnerLinkGrr', 'a', 'hr.employee-updated_v2', '9lives'])(
    'accepts %s',
    (name) => {
      expect(parseCommandName(name)).toBe(name);
    },
  );

  it.each([
    ['an empty name', ''],
    ['a dot alone', '.'],
    ['two dots', '..'],
    ['a leading dash', '-x'],
    ['a slash', 'a/b'],
    ['a space', 'a b'],
    ['a topic injection attempt', 'x,smartlink.outcomes'],
    ['a newline', 'a\nb'],
    ['a non-ASCII letter', 'comandoçã'],
    ['an over-long name', 'x'.repeat(MAX_COMMAND_NAME_LENGTH + 1)],
  ])('rejects %s', (_label, name) => {
    expect(() => parseCommandName(name)).toThrow(IllegalCommandNameError);
  });

  it('rejects non-strings', () => {
    expect(() => parseCommandName(42)).toThrow(/expected a string, got number/);
    expect(() => parseCommandName(null)).toThrow(/got null/);
  });

  it('says why, with a stable code and no retry', () => {
    const error = (() => {
      try {
        parseCommandName('bad name');
      } catch (e) {
        return e as IllegalCommandNameError;
      }
      throw new Error('expected a throw');
    })();
    expect(error.code).toBe('ILLEGAL_COMMAND_NAME');
    expect(error.retriable).toBe(false);
    expect(error.message).toContain('"bad name"');
  });

  it('accepts the longest allowed name', () => {
    expect(isCommandName('x'.repeat(MAX_COMMAND_NAME_LENGTH))).toBe(true);
  });
});
