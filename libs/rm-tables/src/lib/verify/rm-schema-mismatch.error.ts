import { SmartLinkError } from '@smartlink/common';
import type { RmSchemaFinding } from './compare-rm-schema';
import { formatRmSchemaFindings } from './format-rm-schema-findings';

/**
 * `DB_SCHEMA=verify` found tables that do not fit the client: code `RM_SCHEMA_MISMATCH`, never retriable (the
 * tables stay as they are until a DBA changes them). The message lists every mismatch with the DDL that fixes it.
 */
export class RmSchemaMismatchError extends SmartLinkError {
  constructor(
    readonly findings: readonly RmSchemaFinding[],
    where: string,
  ) {
    super(
      'RM_SCHEMA_MISMATCH',
      [
        `The RM tables in ${where} do not fit the client: ${findings.length} ${findings.length === 1 ? 'mismatch' : 'mismatches'}. ` +
          'DB_SCHEMA=verify changes nothing in the database: have a DBA run the fixes below, then start again.',
        formatRmSchemaFindings(findings),
      ].join('\n'),
      false,
    );
  }
}
