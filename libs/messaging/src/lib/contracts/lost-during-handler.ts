/**
 * The error of an attempt that started (its marker arrived) and never reported an outcome by its due time: the
 * handler's process ended (killed, out of memory) or stopped answering while it ran. Written by the retry scheduler's
 * sweep, read by the executor (the next attempt runs alone) and the dead-letter reason; the prefix is the kind, so it
 * is defined here once and matched only through {@link isLostDuringHandler}.
 */
const LOST_DURING_HANDLER_PREFIX = 'lost during the handler: ';

/** The facts of one lost attempt. */
export interface LostAttempt {
  readonly attempt: number;
  readonly startedAt: Date;
  readonly outcomeDueBy: Date;
}

/** The error text recorded for an attempt lost while its handler ran. */
export function lostDuringHandlerError({ attempt, startedAt, outcomeDueBy }: LostAttempt): string {
  return (
    `${LOST_DURING_HANDLER_PREFIX}attempt ${attempt} started at ${startedAt.toISOString()} and reported no ` +
    `outcome by ${outcomeDueBy.toISOString()}: the handler's process ended (killed, out of memory) or stopped ` +
    'responding while it ran'
  );
}

/** True when an attempt's error says it was lost while its handler ran. */
export function isLostDuringHandler(error: string | null | undefined): boolean {
  return typeof error === 'string' && error.startsWith(LOST_DURING_HANDLER_PREFIX);
}
