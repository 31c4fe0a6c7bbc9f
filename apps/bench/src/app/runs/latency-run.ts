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

/**
 * Latency at a fixed offered load: messages enter the cloud queue at `latencyRate` per second for `latencySeconds`,
 * in steps of 20 ms. The simulator stamps each with its enqueue time; the segment's outcome carries its handler's
 * start: the analysis takes both from the event log.
 */
export async function latencyRun(context: BenchContext): Promise<void> {
  const { system, options, progress } = context;
  const total = options.latencyRate * options.latencySeconds;
  const baseline = (await system.segmentStats()).distinctSucceeded;
  progress(`latency: offering ${options.latencyRate} msg/s for ${options.latencySeconds} s`);
  await paced(total, options.latencyRate, async (from, count) => {
    const messages: SimMessage[] = Array.from({ length: count }, (_, k) => ({
      style: 'cloudevents',
      type: BENCH_COMMANDS.plain,
      source: RUN_SOURCES.latency,
      data: payload(from + k, options.messageBytes),
    }));
    await system.sim.enqueue(TENANT, messages);
  });
  await waitUntilDone(context, 'latency', baseline, total, 300_000);
}
