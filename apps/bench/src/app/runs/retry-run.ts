import { TENANT } from '@smartlink/system-harness';
import type { SimMessage } from '@smartlink/testing';
import {
  BENCH_COMMANDS,
  paced,
  payload,
  RUN_SOURCES,
  waitUntilDone,
  type BenchContext,
} from './bench-context';

/** The retry policy of the bench's system: a fixed delay, no jitter, so every retry has an exact due time. */
export function benchRetryPolicy(delayMs: number): unknown {
  return { retry: { maxAttempts: 3, strategy: 'fixed', initialDelayMs: delayMs, jitter: 0 } };
}

/**
 * Retry lateness: messages whose first attempt fails (the example segment's `failAttempts` switch) enter at
 * `retryRate` per second; each is retried `retryDelayMs` later. The analysis compares every retry's due time
 * (DATATENTATIVAEXEC, on its `retry-scheduled` event) with the timestamp of its command record on the command topic,
 * read back after the load. Returns the messages the segment handled.
 */
export async function retryRun(context: BenchContext): Promise<number> {
  const { system, options, progress } = context;
  const total = options.retryMessages;
  if (total === 0) return 0;
  const baseline = (await system.segmentStats()).distinctSucceeded;
  progress(
    `retries: ${total} messages failing once, ${options.retryRate} msg/s, retried after ${options.retryDelayMs} ms`,
  );
  await paced(total, options.retryRate, async (from, count) => {
    const messages: SimMessage[] = Array.from({ length: count }, (_, k) => ({
      style: 'cloudevents',
      type: BENCH_COMMANDS.failing,
      source: RUN_SOURCES.retries,
      data: payload(from + k, options.messageBytes, { failAttempts: 1 }),
    }));
    await system.sim.enqueue(TENANT, messages);
  });
  await waitUntilDone(context, 'retries', baseline, total, 300_000);
  return (await system.segmentStats()).distinctSucceeded - baseline;
}
