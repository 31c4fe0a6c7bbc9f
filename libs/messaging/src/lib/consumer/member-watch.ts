/**
 * What a consumer group member needs to notice that kafkajs left it stranded: a member that sent a JoinGroup, was
 * told "the coordinator is loading" and then did nothing (no error, no crash, no retry) after a rolling restart of a
 * three-broker cluster (the reliability suite's cluster case, 2026-12-07). Used by the lease and by the kafkajs batch
 * consumer, which both replace such a member with a new one.
 */

/** Runs `task` every `ms` until the returned function is called; tests pass their own. */
export type Every = (ms: number, task: () => void) => () => void;

export const everyInterval: Every = (ms, task) => {
  const timer = setInterval(task, ms);
  timer.unref();
  return () => clearInterval(timer);
};

/** When the group coordinator last confirmed the membership, and since when the member has been out of a generation. */
export interface MemberClocks {
  /** Last join or successful heartbeat (epoch ms). */
  readonly lastContactAt: number;
  /** Since when the member left its generation (a rebalance, crash or stop) without joining again; null when in one. */
  readonly unsettledSince: number | null;
}

/** Why a member should be replaced at `now`, or null when it should not. */
export function stuckMemberReason(now: number, clocks: MemberClocks, rejoinAfterMs: number): string | null {
  const silentMs = now - clocks.lastContactAt;
  if (silentMs >= rejoinAfterMs) {
    return `no word from the group coordinator for ${silentMs} ms (no join, no heartbeat)`;
  }
  const unsettledMs = clocks.unsettledSince === null ? 0 : now - clocks.unsettledSince;
  if (unsettledMs >= rejoinAfterMs) {
    // Seen in the cluster case: after a JoinGroup answered "coordinator loading", kafkajs went on heartbeating and
    // fetching in its old generation and never joined again.
    return `no join for ${unsettledMs} ms since the member left its generation (a rebalance, crash or stop kafkajs did not finish)`;
  }
  return null;
}

/** Disconnects a consumer the coordinator went silent on, waiting at most `ms`: its disconnect may hang as well. */
export async function leaveWithin(
  consumer: { disconnect(): Promise<void> } | null,
  ms: number,
): Promise<void> {
  if (!consumer) return;
  let timer: NodeJS.Timeout | undefined;
  const gaveUp = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, ms);
    timer.unref();
  });
  try {
    await Promise.race([consumer.disconnect().catch(() => undefined), gaveUp]);
  } finally {
    clearTimeout(timer);
  }
}
