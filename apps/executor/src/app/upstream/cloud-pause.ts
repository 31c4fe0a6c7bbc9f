/**
 * The cloud's Retry-After, shared by every send of this process: after a 429 or a 503 that says when to come back,
 * sends not yet started wait until then (up to a bound) instead of meeting the same refusal.
 */
export class CloudPause {
  private untilMs = 0;

  /** Notes a Retry-After received at `nowMs`; a later end than the one noted wins. */
  note(retryAfterMs: number, nowMs: number): void {
    this.untilMs = Math.max(this.untilMs, nowMs + retryAfterMs);
  }

  /** How long sends should still wait, 0 when they may go. */
  remainingMs(nowMs: number): number {
    return Math.max(0, this.untilMs - nowMs);
  }
}
