import { TENANT } from '@smartlink/system-harness';
import { BENCH_COMMANDS, waitUntilDone, type BenchContext } from './bench-context';

/**
 * Downstream throughput: N messages land in the cloud queue at once (the simulator builds them), and the whole
 * pipeline drains them: poller → event log → executor → command topic → segment → outcome → success row. The
 * resources of every service are read meanwhile (the "load" stretch). Returns the messages the segment handled.
 */
export async function downstreamRun(context: BenchContext): Promise<number> {
  const { system, options, sampler, progress } = context;
  const baseline = (await system.segmentStats()).distinctSucceeded;
  progress(`downstream: loading ${options.messages.toLocaleString('en-US')} messages into the simulator`);
  sampler.begin('load');
  try {
    const { queued } = await system.sim.generate(TENANT, {
      count: options.messages,
      type: BENCH_COMMANDS.plain,
      style: 'cloudevents',
      payloadBytes: options.messageBytes,
    });
    if (queued !== options.messages) throw new Error(`the simulator queued ${queued} of ${options.messages}`);
    await waitUntilDone(context, 'downstream', baseline, options.messages, 300_000 + options.messages * 20);
    return (await system.segmentStats()).distinctSucceeded - baseline;
  } finally {
    sampler.end();
  }
}
