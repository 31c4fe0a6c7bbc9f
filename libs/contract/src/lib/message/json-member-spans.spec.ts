import { jsonMemberSpans } from './json-member-spans';

function members(text: string): Record<string, string> {
  JSON.parse(text); // the function's precondition
  return Object.fromEntries(
    [...jsonMemberSpans(text)].map(([key, span]) => [key, text.slice(span.start, span.end)]),
  );
}

describe('jsonMemberSpans', () => {
  it('returns the exact text of each top-level value', () => {
    expect(
      members(' { "a" : 1 , "b":[1, {"c":"]"}] ,"d":{"e":{}} , "f":null,"g":true, "h": -1.5e3 } '),
    ).toEqual({
      a: '1',
      b: '[1, {"c":"]"}]',
      d: '{"e":{}}',
      f: 'null',
      g: 'true',
      h: '-1.5e3',
    });
  });

  it('handles escaped quotes and backslashes in strings and keys', () => {
    expect(members('{"k\\"ey":"v\\\\","x":"a\\\\\\"b}"}')).toEqual({ 'k"ey': '"v\\\\"', x: '"a\\\\\\"b}"' });
  });

  it('keeps the last of duplicate keys, as JSON.parse does', () => {
    expect(members('{"a":1,"a":{"b":2}}')).toEqual({ a: '{"b":2}' });
  });

  it('returns nothing for an empty object and rejects non-objects', () => {
    expect(members('{ }')).toEqual({});
    expect(() => jsonMemberSpans('[1]')).toThrow(SyntaxError);
  });
});
