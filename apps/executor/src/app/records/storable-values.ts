// What the RM table columns can hold, checked before a chunk is written: one value a column refuses would fail the
// whole statement, and so the whole chunk, on every redelivery.

/** `TENTATIVA` and `TENTATIVAS` are 32-bit integers on every database. */
export const MAX_STORABLE_ATTEMPT = 2_147_483_647;

/** The date columns hold years 1 to 9999 on every database (SQL Server `datetime2`; PostgreSQL refuses year 0). */
export function isStorableInstant(iso: string): boolean {
  const year = new Date(iso).getUTCFullYear();
  return year >= 1 && year <= 9999;
}

/** PostgreSQL text refuses the NUL character. */
export function holdsNul(text: string): boolean {
  return text.includes('\u0000');
}
