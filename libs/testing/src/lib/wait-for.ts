/** Options for {@link waitFor}. */
export interface WaitForOptions {
  /** What is being waited for; named in the timeout error. */
  readonly description: string;
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
  /**
   * Checked before each probe: an error returned here ends the wait at once with that error, for a condition that
   * can no longer come true (the process that was to answer has exited).
   */
  readonly abortIf?: () => Error | null;
}

/**
 * Polls `probe` until it returns a value other than `undefined`, `null` or `false`, and returns that value.
 * Tests wait on conditions, never on fixed sleeps: the interval only paces the polling. A probe that throws
 * counts as "not yet"; the last error is reported if time runs out.
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  { description, timeoutMs = 30_000, intervalMs = 50, abortIf }: WaitForOptions,
): Promise<Exclude<T, undefined | null | false>> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let lastValue: unknown;
  for (;;) {
    const abort = abortIf?.();
    if (abort) throw abort;
    try {
      const value = await probe();
      if (value !== undefined && value !== null && value !== false) {
        return value as Exclude<T, undefined | null | false>;
      }
      lastValue = value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const detail =
        lastError instanceof Error ? `last error: ${lastError.message}` : `last value: ${String(lastValue)}`;
      throw new Error(`Timed out after ${timeoutMs} ms waiting for ${description} (${detail})`, {
        cause: lastError,
      });
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
