import { TENANT } from '@smartlink/system-harness';
import type { SimMessage } from '@smartlink/testing';
import { BENCH_COMMANDS, payload, waitUntilDone, type BenchContext } from './bench-context';

const PER_COMMAND = 500;

/**
 * Before anything is measured: a few hundred messages of each command the runs use, so the command topics exist
 * (the executor creates one on a command's first message) and the services' code is warm.
 */
export async function warmUpRun(context: BenchContext): Promise<void> {
  const { system, options, progress } = context;
  progress(`warm-up: ${PER_COMMAND} messages of ${BENCH_COMMANDS.plain} and of ${BENCH_COMMANDS.failing}`);
  const baseline = (await system.segmentStats()).distinctSucceeded;
  const messages: SimMessage[] = [BENCH_COMMANDS.plain, BENCH_COMMANDS.failing].flatMap((type) =>
    Array.from({ length: PER_COMMAND }, (_, i) => ({
      style: 'cloudevents' as const,
      type,
      source: 'bench-warm-up',
      data: payload(i, options.messageBytes),
    })),
  );
  await system.sim.enqueue(TENANT, messages);
  await waitUntilDone(context, 'warm-up', baseline, messages.length, 300_000);
}
