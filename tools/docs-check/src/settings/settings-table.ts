/** One row of the settings table in docs/settings.md. */
export interface SettingsRow {
  readonly name: string;
  readonly services: readonly string[];
  readonly defaultValue: string;
  readonly allowed: string;
  readonly meaning: string;
}

/**
 * Reads the one table of docs/settings.md whose first column is `name`. The services column lists service names,
 * `client` (poller, executor, retry-scheduler, log-writer) and `all` (the client, example-segment, smartlink-sim).
 */
export function readSettingsTable(
  markdown: string,
  aliases: Readonly<Record<string, readonly string[]>>,
): SettingsRow[] {
  const lines = markdown.split('\n');
  const header = lines.findIndex((line) => /^\|\s*name\s*\|/.test(line));
  if (header < 0) throw new Error('docs/settings.md has no table with a "name" column');
  const rows: SettingsRow[] = [];
  for (const line of lines.slice(header + 2)) {
    if (!line.startsWith('|')) break;
    const cells = line
      .slice(1, line.endsWith('|') ? -1 : undefined)
      .split('|')
      .map((cell) => cell.trim());
    if (cells.length !== 5) throw new Error(`docs/settings.md: a row needs 5 cells: ${line}`);
    const [name, services, defaultValue, allowed, meaning] = cells as [
      string,
      string,
      string,
      string,
      string,
    ];
    rows.push({
      name: name.replace(/`/g, ''),
      services: services
        .split(',')
        .map((s) => s.trim())
        .flatMap((s) => aliases[s] ?? [s]),
      defaultValue,
      allowed,
      meaning,
    });
  }
  return rows;
}
