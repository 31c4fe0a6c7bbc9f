import { MessageLimits } from '@smartlink/common';
import { CommandNameSchema } from '@smartlink/contract';
import { z } from 'zod';

/** A validated redrive request, from the HTTP endpoint or the CLI. */
export interface RedriveRequest {
  /** Dead messages by id. */
  readonly ids?: readonly string[];
  /** Dead messages of one command. */
  readonly command?: string;
  /** Messages that died at or after this instant... */
  readonly deadFrom?: Date;
  /** ...and before this one. */
  readonly deadBefore?: Date;
  /** The most to put back (capped by `REDRIVE_MAX_PER_REQUEST`). */
  readonly limit?: number;
  /** Who asks: an operator's name, kept in the `redriven` events and logs. */
  readonly by: string;
  /** Why, for the audit trail. */
  readonly reason: string | null;
  readonly via: 'http' | 'cli';
}

/** The most ids one request names; larger sets are redriven by command or time window. */
export const MAX_REDRIVE_REQUEST_IDS = 10_000;

const instant = z.iso.datetime({ offset: true });

/**
 * The body of `POST /redrive` and, field for field, the options of the CLI: at least one of `ids`, `command`,
 * `from`, `to`; filters combine (all must hold). `from`/`to` bound the time the message died, `[from, to)`.
 */
export const RedriveRequestSchema = z
  .strictObject({
    ids: z
      .array(z.string().min(1).max(MessageLimits.MESSAGE_ID))
      .min(1)
      .max(MAX_REDRIVE_REQUEST_IDS)
      .optional(),
    command: CommandNameSchema.optional(),
    from: instant.optional(),
    to: instant.optional(),
    limit: z.number().int().min(1).optional(),
    by: z.string().trim().min(1).max(200),
    reason: z.string().max(1_000).optional(),
  })
  .refine(
    (r) => r.ids !== undefined || r.command !== undefined || r.from !== undefined || r.to !== undefined,
    {
      message: 'say which dead messages: ids, command, from or to',
    },
  )
  .refine((r) => r.from === undefined || r.to === undefined || Date.parse(r.from) < Date.parse(r.to), {
    message: 'from must be before to',
    path: ['to'],
  });

/** The outcome of reading a request: the request, or what is wrong with it (safe to show the caller). */
export type ParsedRedriveRequest =
  { readonly ok: true; readonly request: RedriveRequest } | { readonly ok: false; readonly problem: string };

/** Validates a request body (HTTP) or the CLI's options. */
export function parseRedriveRequest(input: unknown, via: 'http' | 'cli'): ParsedRedriveRequest {
  const parsed = RedriveRequestSchema.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue && issue.path.length > 0 ? `${issue.path.map(String).join('.')}: ` : '';
    return { ok: false, problem: `${field}${issue?.message ?? 'invalid request'}` };
  }
  const r = parsed.data;
  return {
    ok: true,
    request: {
      ...(r.ids === undefined ? {} : { ids: r.ids }),
      ...(r.command === undefined ? {} : { command: r.command }),
      ...(r.from === undefined ? {} : { deadFrom: new Date(r.from) }),
      ...(r.to === undefined ? {} : { deadBefore: new Date(r.to) }),
      ...(r.limit === undefined ? {} : { limit: r.limit }),
      by: r.by,
      reason: r.reason ?? null,
      via,
    },
  };
}
