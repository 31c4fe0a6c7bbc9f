import { z } from 'zod';
import { CommandNameSchema } from '../command/command-name-schema';
import { parseCommandName } from '../command/command-name';
import {
  CorrelatedIdSchema,
  EnvelopeTextSchema,
  EnvelopeTimeSchema,
  MessageIdSchema,
  TenantIdSchema,
} from './envelope-fields';
import { payloadJson, withJsonMember } from './payload-json';

/**
 * "Padrão CloudEvents" (smartlink-domain.md §1.6, [C S13]): `specversion`, `id`, `type`, `time`, `source`,
 * `correlationid`, `tenantid` (Protheus writes `tenantId`, [C P3]) and `data`. Other attributes are allowed and
 * ignored. `data` is checked for presence by the parser, not here, so its exact text can be kept.
 */
export const CloudEventsEnvelopeSchema = z.looseObject({
  specversion: z.string().min(1).max(16),
  id: MessageIdSchema.optional(),
  type: CommandNameSchema,
  source: EnvelopeTextSchema.nullish(),
  time: EnvelopeTimeSchema.nullish(),
  correlationid: CorrelatedIdSchema.nullish(),
  tenantid: TenantIdSchema.optional(),
  tenantId: TenantIdSchema.optional(),
});
export type CloudEventsEnvelope = z.infer<typeof CloudEventsEnvelopeSchema>;

/** What {@link buildCloudEventsEnvelope} needs. */
export interface CloudEventsEnvelopeInput {
  readonly id: string;
  readonly type: string;
  readonly tenantId: string;
  /** The payload text (RM's `Data`); see {@link payloadJson}. */
  readonly data: string;
  readonly time: Date;
  readonly source?: string | null;
  readonly correlationId?: string | null;
}

/** Serialises a CloudEvents 1.0 envelope in the attribute spelling S13 documents (`tenantid`, `correlationid`). */
export function buildCloudEventsEnvelope(input: CloudEventsEnvelopeInput): string {
  const attributes = JSON.stringify({
    specversion: '1.0',
    id: input.id,
    type: parseCommandName(input.type),
    source: input.source ?? null,
    time: input.time.toISOString(),
    correlationid: input.correlationId ?? null,
    tenantid: input.tenantId,
  });
  return withJsonMember(attributes, 'data', payloadJson(input.data));
}
