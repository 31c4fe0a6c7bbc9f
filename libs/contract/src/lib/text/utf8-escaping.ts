import { isUtf8 } from 'node:buffer';

/** The surrogate a byte that is not UTF-8 becomes: U+DC80..U+DCFF for bytes 0x80..0xFF. */
const ESCAPE_BASE = 0xdc00;
/** A lone surrogate of the escape range, never part of a pair (a pair is one code point under the `u` flag). */
const ESCAPED_BYTE = /[\uDC80-\uDCFF]/u;
/** Any lone surrogate: text that is not well-formed Unicode. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** Length of the well-formed UTF-8 sequence at `i` (RFC 3629: no overlongs, no surrogates, ≤ U+10FFFF); 0 if none. */
function sequenceLength(bytes: Uint8Array, i: number): number {
  const lead = bytes[i] as number;
  if (lead < 0x80) return 1;
  const cont = (at: number, min = 0x80, max = 0xbf) => {
    const b = bytes[at];
    return b !== undefined && b >= min && b <= max;
  };
  if (lead >= 0xc2 && lead <= 0xdf) return cont(i + 1) ? 2 : 0;
  if (lead >= 0xe0 && lead <= 0xef) {
    const min = lead === 0xe0 ? 0xa0 : 0x80;
    const max = lead === 0xed ? 0x9f : 0xbf;
    return cont(i + 1, min, max) && cont(i + 2) ? 3 : 0;
  }
  if (lead >= 0xf0 && lead <= 0xf4) {
    const min = lead === 0xf0 ? 0x90 : 0x80;
    const max = lead === 0xf4 ? 0x8f : 0xbf;
    return cont(i + 1, min, max) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

/**
 * Decodes bytes as UTF-8 and keeps every byte that is not UTF-8 recognisable, as the lone surrogate U+DC80..U+DCFF
 * of its value — Python's "surrogateescape" (PEP 383) — instead of U+FFFD. Decoding UTF-8 never yields a surrogate,
 * so one in the result always means "this byte was not UTF-8", while U+FFFD could be the sender's own character.
 * That lets a reader refuse exactly the message whose body held the bad bytes and keep the rest of a response.
 * Written here because Node's decoders either replace (Buffer, TextDecoder) or throw for the whole input
 * (TextDecoder `fatal`), without saying where; well-formed input, the normal case, takes Node's fast path.
 */
export function decodeUtf8KeepingInvalidBytes(bytes: Buffer): string {
  if (isUtf8(bytes)) return bytes.toString('utf8');
  let text = '';
  let runStart = 0;
  let i = 0;
  while (i < bytes.length) {
    const length = sequenceLength(bytes, i);
    if (length > 0) {
      i += length;
      continue;
    }
    text += bytes.toString('utf8', runStart, i) + String.fromCharCode(ESCAPE_BASE + (bytes[i] as number));
    i += 1;
    runStart = i;
  }
  return text + bytes.toString('utf8', runStart, i);
}

/**
 * Where `text` stops being well-formed Unicode: a byte kept by {@link decodeUtf8KeepingInvalidBytes} (with its
 * value), or any other lone surrogate; null for well-formed text.
 */
export function malformedTextAt(text: string): { index: number; byte: number | null } | null {
  const lone = LONE_SURROGATE.exec(text);
  if (!lone) return null;
  const code = lone[0].charCodeAt(0);
  return { index: lone.index, byte: ESCAPED_BYTE.test(lone[0]) ? code - ESCAPE_BASE : null };
}
