import { z } from 'zod';
import { AUDIENCE_PATTERN, MAX_AUDIENCE_LENGTH, parseAudience } from './audience-name';
import { COMMAND_NAME_PATTERN, MAX_COMMAND_NAME_LENGTH, parseCommandName } from './command-name';

function refineWith(parse: (value: string) => string) {
  return (value: string, ctx: z.RefinementCtx) => {
    try {
      parse(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as { reason?: string }).reason ?? String(error) });
    }
  };
}

/**
 * A legal command (message type) name, checked by {@link parseCommandName}; for use inside wire schemas. The rule is
 * also stated as JSON Schema keywords (`z.toJSONSchema`, docs/asyncapi.yaml), for producers in other languages.
 */
export const CommandNameSchema = z
  .string()
  .superRefine(refineWith(parseCommandName))
  .meta({ pattern: COMMAND_NAME_PATTERN.source, minLength: 1, maxLength: MAX_COMMAND_NAME_LENGTH });

/** A legal audience, checked by {@link parseAudience}; for use inside wire schemas. */
export const AudienceSchema = z
  .string()
  .superRefine(refineWith(parseAudience))
  .meta({ pattern: AUDIENCE_PATTERN.source, minLength: 1, maxLength: MAX_AUDIENCE_LENGTH });
