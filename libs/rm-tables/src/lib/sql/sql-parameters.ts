/**
 * Collects positional parameters while a statement is written: `add` stores a value and returns its placeholder
 * (`@0` for SQL Server, `$1` for PostgreSQL, `?` for SQLite), so SQL text and parameter order cannot drift apart.
 */
export class SqlParameters {
  private readonly values: unknown[] = [];

  constructor(
    private readonly placeholder: (index: number) => string,
    private readonly encode: (value: unknown) => unknown = (value) => value,
  ) {}

  /** Adds one value; returns its placeholder. */
  add(value: unknown): string {
    this.values.push(this.encode(value));
    return this.placeholder(this.values.length - 1);
  }

  /** Adds a row of values; returns `(p1, p2, ...)`. */
  row(values: readonly unknown[]): string {
    return `(${values.map((value) => this.add(value)).join(', ')})`;
  }

  /** Adds several rows; returns `(..), (..)`. */
  rows(rows: readonly (readonly unknown[])[]): string {
    return rows.map((values) => this.row(values)).join(', ');
  }

  /** The parameters in placeholder order. */
  list(): readonly unknown[] {
    return [...this.values];
  }
}
