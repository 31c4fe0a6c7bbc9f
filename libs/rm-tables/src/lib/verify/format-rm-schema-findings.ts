import type { RmSchemaFinding } from './compare-rm-schema';

/**
 * Findings as numbered lines, each with its fix: the statements indented below it, each ending in `;`, ready to
 * paste into a SQL console.
 */
export function formatRmSchemaFindings(findings: readonly RmSchemaFinding[]): string {
  return findings
    .map((finding, i) => {
      const where = finding.column ? `${finding.table}.${finding.column}` : finding.table;
      const fix = finding.fix.note ? `fix (${finding.fix.note}):` : 'fix:';
      const statements = finding.fix.statements.map((s) => `${s};`.replaceAll('\n', '\n       '));
      return [
        `  ${i + 1}. ${where}: ${finding.problem}`,
        `     ${fix}`,
        ...statements.map((s) => `       ${s}`),
      ].join('\n');
    })
    .join('\n');
}
