import { z } from 'zod';
import { CommandNameSchema } from '../command/command-name-schema';
import { parseCommandName } from '../command/command-name';
import { CorrelatedIdSchema, EnvelopeTimeSchema, MessageIdSchema, TenantIdSchema } from './envelope-fields';
import { payloadJson, withJsonMember } from './payload-json';

/**
 * "Padrão Totvs" (smartlink-domain.md §1.6, [C S13]): `header` {`type`, `tenantId`, `erpTenant`, `generatedOn`,
 * `locale`} + `content`. `transactionId` is in the header the GRR client sends ([C P1 `GRRSLMakeHeader`]).
 * `correlationId` (or RM's spelling `correlatedId`) is our reading of where RM's CorrelatedId would go ([I]).
 * Other header fields are allowed and ignored; `content` is checked for presence by the parser.
 */
export const TotvsEnvelopeSchema = z.looseObject({
  header: z.looseObject({
    type: CommandNameSchema,
    tenantId: TenantIdSchema.optional(),
    transactionId: MessageIdSchema.optional(),
    generatedOn: EnvelopeTimeSchema.nullish(),
    correlationId: CorrelatedIdSchema.nullish(),
    correlatedId: CorrelatedIdSchema.nullish(),
  }),
});
export type TotvsEnvelope = z.infer<typeof TotvsEnvelopeSchema>;

/** What {@link buildTotvsEnvelope} needs. */
export interface TotvsEnvelopeInput {
  readonly type: string;
  readonly tenantId: string;
  /** The payload text (RM's `Data`); see {@link payloadJson}. */
  readonly data: string;
  readonly generatedOn: Date;
  readonly transactionId?: string | null;
  readonly correlationId?: string | null;
}

/**
 * Serialises a "Padrão Totvs" envelope: `header` {`type`, `tenantId`, `generatedOn`} as S13 shows it, `transactionId`
 * as GRR sends it ([C P1]), `correlationId` when given ([I]); then `content`, the payload text (see
 * docs/smartlink-rest-contract.md §4.4 for which field is confirmed by which source).
 */
export function buildTotvsEnvelope(input: TotvsEnvelopeInput): string {
  const header = JSON.stringify({
    type: parseCommandName(input.type),
    tenantId: input.tenantId,
    generatedOn: input.generatedOn.toISOString(),
    ...(input.transactionId ? { transactionId: input.transactionId } : {}),
    ...(input.correlationId ? { correlationId: input.correlationId } : {}),
  });
  return withJsonMember(`{"header":${header}}`, 'content', payloadJson(input.data));
}
