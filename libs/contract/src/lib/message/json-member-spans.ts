/** Where one member value sits in a JSON text: `text.slice(start, end)` is the value exactly as written. */
export interface JsonSpan {
  readonly start: number;
  readonly end: number;
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

function skipWhitespace(text: string, at: number): number {
  let i = at;
  while (i < text.length && WHITESPACE.has(text.charCodeAt(i))) i++;
  return i;
}

/** Index just past the string starting at `at` (which must be a `"`). */
function skipString(text: string, at: number): number {
  let i = at + 1;
  for (;;) {
    const quote = text.indexOf('"', i);
    if (quote < 0) throw new SyntaxError('unterminated string');
    let backslashes = 0;
    for (let j = quote - 1; j >= at + 1 && text.charCodeAt(j) === 0x5c; j--) backslashes++;
    if (backslashes % 2 === 0) return quote + 1;
    i = quote + 1;
  }
}

/** Index just past the JSON value starting at `at`. */
function skipValue(text: string, at: number): number {
  const first = text.charCodeAt(at);
  if (first === 0x22) return skipString(text, at);
  if (first === 0x7b || first === 0x5b) {
    let depth = 0;
    let i = at;
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i = skipString(text, i);
        continue;
      }
      if (c === 0x7b || c === 0x5b) depth++;
      else if (c === 0x7d || c === 0x5d) {
        depth--;
        if (depth === 0) return i + 1;
      }
      i++;
    }
    throw new SyntaxError('unterminated container');
  }
  let i = at;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x2c || c === 0x7d || c === 0x5d || WHITESPACE.has(c)) break;
    i++;
  }
  return i;
}

/**
 * Finds the raw text of each top-level member of a JSON object, so a payload can be handed on exactly as the
 * publisher wrote it: `JSON.parse` then `JSON.stringify` would change whitespace and round numbers beyond 2^53,
 * which ERP ids can exceed. The text must already be known to be a valid JSON object (parse it first); as in
 * `JSON.parse`, the last of duplicate keys wins.
 */
export function jsonMemberSpans(text: string): Map<string, JsonSpan> {
  const spans = new Map<string, JsonSpan>();
  let i = skipWhitespace(text, 0);
  if (text.charCodeAt(i) !== 0x7b) throw new SyntaxError('not a JSON object');
  i = skipWhitespace(text, i + 1);
  if (text.charCodeAt(i) === 0x7d) return spans;
  for (;;) {
    const keyEnd = skipString(text, i);
    const key = JSON.parse(text.slice(i, keyEnd)) as string;
    i = skipWhitespace(text, keyEnd);
    i = skipWhitespace(text, i + 1); // past ':'
    const end = skipValue(text, i);
    spans.set(key, { start: i, end });
    i = skipWhitespace(text, end);
    if (text.charCodeAt(i) === 0x7d) return spans;
    i = skipWhitespace(text, i + 1); // past ','
  }
}
