import { z } from 'zod';
import { parseAudience } from './audience-name';
import { parseCommandName } from './command-name';

function refineWith(parse: (value: string) => string) {
  return (value: string, ctx: z.RefinementCtx) => {
    try {
      parse(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as { reason?: string }).reason ?? String(error) });
    }
  };
}

/** A legal command (message type) name, checked by {@link parseCommandName}; for use inside wire schemas. */
export const CommandNameSchema = z.string().superRefine(refineWith(parseCommandName));

/** A legal audience, checked by {@link parseAudience}; for use inside wire schemas. */
export const AudienceSchema = z.string().superRefine(refineWith(parseAudience));
