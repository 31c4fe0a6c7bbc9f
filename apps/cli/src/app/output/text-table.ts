/** How a column lines up: text to the left, numbers to the right. */
export type ColumnAlign = 'left' | 'right';

/** One column of a {@link textTable}. */
export interface TextColumn {
  readonly title: string;
  readonly align: ColumnAlign;
}

/**
 * Lays rows out in aligned columns separated by two spaces, a header first; trailing spaces are trimmed. Each line
 * ends with a newline.
 */
export function textTable(columns: readonly TextColumn[], rows: readonly (readonly string[])[]): string {
  const all = [columns.map((c) => c.title), ...rows];
  const widths = columns.map((_, i) => Math.max(...all.map((row) => (row[i] ?? '').length)));
  return all
    .map((row) =>
      columns
        .map((column, i) => {
          const cell = row[i] ?? '';
          const width = widths[i] ?? 0;
          return column.align === 'right' ? cell.padStart(width) : cell.padEnd(width);
        })
        .join('  ')
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join('');
}
