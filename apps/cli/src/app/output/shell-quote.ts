/**
 * Quotes a value for a POSIX shell command line: single quotes, each embedded `'` written as `'\''`. Plain words
 * (letters, digits and `@%+=:,./_-`) stay unquoted so the printed commands read easily.
 */
export function shellQuote(value: string): string {
  if (/^[A-Za-z0-9@%+=:,./_-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}
