import { AttemptStatus, MessageDirection } from '@smartlink/rm-tables';
import { publishFromSegment, TENANT } from '@smartlink/system-harness';
import type { UpstreamSend } from '../analysis/event-analysis';
import { sleep, type BenchContext } from './bench-context';

/** The most one `POST /demo/publish` takes (apps/example-segment). */
const PUBLISH_CHUNK = 1_000;
const COMMAND = 'BenchNotice';

/**
 * Upstream throughput: the example segment publishes messages for the cloud (its `/demo/publish`, in chunks of
 * 1,000); the executor stores each, sends it to the cloud (`send/{type}/{audience}`) and records the attempt. Done
 * when the simulator counted every send and no message is left undone. Returns the successful sends as their history
 * rows in GTOTVSLINKMESSAGEEXEC record them, read while the system still runs: that row is where an upstream
 * success is recorded (it has no outcome record, nor any event).
 */
export async function upstreamRun(context: BenchContext): Promise<UpstreamSend[]> {
  const { system, options, progress } = context;
  const total = options.upstreamMessages;
  if (total === 0) return [];
  const sentBefore = (await system.sim.tenantStats(TENANT))?.sent ?? 0;
  progress(`upstream: the segment publishes ${total.toLocaleString('en-US')} messages for the cloud`);
  for (let done = 0; done < total; done += PUBLISH_CHUNK) {
    await publishFromSegment(system.segmentUrl, {
      count: Math.min(PUBLISH_CHUNK, total - done),
      command: COMMAND,
      audience: 'bench',
    });
  }
  const deadline = Date.now() + 300_000;
  for (;;) {
    const sent = ((await system.sim.tenantStats(TENANT))?.sent ?? 0) - sentBefore;
    if (sent >= total && (await system.tables.messages.countUndone()) === 0) break;
    if (Date.now() > deadline) throw new Error(`upstream: only ${sent} of ${total} sent after 300 s`);
    await sleep(250);
  }
  const ids = new Set<string>();
  for (const s of (await system.sim.sent(TENANT)).entries) {
    if (s.type === COMMAND && s.envelope?.id) ids.add(s.envelope.id);
  }
  const history = await system.tables.attempts.findByMessageIds([...ids]);
  return history
    .filter((h) => h.direction === MessageDirection.Upstream && h.status === AttemptStatus.Success)
    .map((h) => ({ messageId: h.messageId, finishedAt: h.finishedAt.getTime() }));
}
