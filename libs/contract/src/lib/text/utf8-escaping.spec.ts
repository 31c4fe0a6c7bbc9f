import { decodeUtf8KeepingInvalidBytes, malformedTextAt } from './utf8-escaping';

const bytes = (...values: number[]) => Buffer.from(values);

describe('decodeUtf8KeepingInvalidBytes', () => {
  it('decodes well-formed UTF-8 as Node does, U+FFFD and 4-byte characters included', () => {
    const text = 'plain, café, \ufffd, 😀, \u0000';
    expect(decodeUtf8KeepingInvalidBytes(Buffer.from(text, 'utf8'))).toBe(text);
    expect(decodeUtf8KeepingInvalidBytes(Buffer.alloc(0))).toBe('');
  });

  it.each([
    ['a lone Latin-1 byte', bytes(0x61, 0xe9, 0x62), [0xe9]],
    ['a truncated sequence at the end', bytes(0x61, 0xe2, 0x82), [0xe2, 0x82]],
    ['a continuation byte without a lead', bytes(0x80), [0x80]],
    ['an overlong encoding of "/"', bytes(0xc0, 0xaf), [0xc0, 0xaf]],
    ['an encoded surrogate (CESU-8)', bytes(0xed, 0xa0, 0x80), [0xed, 0xa0, 0x80]],
    ['a code point above U+10FFFF', bytes(0xf4, 0x90, 0x80, 0x80), [0xf4, 0x90, 0x80, 0x80]],
    ['0xFF', bytes(0xff), [0xff]],
  ])('keeps each byte of %s as U+DC00 + byte', (_name, input, kept) => {
    const text = decodeUtf8KeepingInvalidBytes(input);
    const escapes = [...text].filter((c) => c.charCodeAt(0) >= 0xdc80 && c.charCodeAt(0) <= 0xdcff);
    expect(escapes.map((c) => c.charCodeAt(0) - 0xdc00)).toEqual(kept);
  });

  it('decodes the good text around the bad bytes unchanged', () => {
    const input = Buffer.concat([Buffer.from('é→', 'utf8'), bytes(0xff), Buffer.from('😀 ok', 'utf8')]);
    expect(decodeUtf8KeepingInvalidBytes(input)).toBe('é→\udcff😀 ok');
  });
});

describe('malformedTextAt', () => {
  it('is null for well-formed text, surrogate pairs included', () => {
    expect(malformedTextAt('café \ufffd 😀')).toBeNull();
  });

  it('names a kept byte and where it is', () => {
    expect(malformedTextAt(decodeUtf8KeepingInvalidBytes(bytes(0x61, 0x62, 0xe9)))).toEqual({
      index: 2,
      byte: 0xe9,
    });
  });

  it('reports any other lone surrogate without a byte', () => {
    expect(malformedTextAt('ab\ud800c')).toEqual({ index: 2, byte: null });
    expect(malformedTextAt('\udfff')).toEqual({ index: 0, byte: null });
  });
});
