import type { KafkaClient, TopicNames } from '@smartlink/messaging';
import { waitFor } from '@smartlink/testing';
import type { TestSystem } from '@smartlink/system-harness';
import type { BenchOptions } from '../options/bench-options';
import type { ResourceSampler } from '../resources/resource-sampler';

/** What every run of the benchmark works with. */
export interface BenchContext {
  readonly system: TestSystem;
  readonly options: BenchOptions;
  readonly sampler: ResourceSampler;
  /** The bench's own Kafka client, in the system's topic namespace. */
  readonly client: KafkaClient;
  readonly progress: (message: string) => void;
}

/** The CloudEvents `source` of each run's messages: the received events carry it, so the analysis tells runs apart. */
export const RUN_SOURCES = {
  /** The simulator's `generate` stamps its own source on synthetic messages. */
  downstream: 'smartlink-sim',
  latency: 'bench-latency',
  retries: 'bench-retry',
} as const;

/** The example segment's commands the runs use: one that only logs, and one that can fail on purpose. */
export const BENCH_COMMANDS = { plain: 'DemoEmployeeUpdated', failing: 'DemoInvoiceIssued' } as const;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A JSON payload of about `bytes` bytes. */
export function payload(
  seq: number,
  bytes: number,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  const base = JSON.stringify({ seq, ...extra, text: '' }).length;
  return { seq, ...extra, text: 'x'.repeat(Math.max(0, bytes - base)) };
}

/**
 * Waits until the example segment has handled `expected` more messages than `baseline` and no message is left undone
 * in GTOTVSLINKMESSAGE (a row is deleted once its success row is written), printing progress every 5 s.
 */
export async function waitUntilDone(
  context: BenchContext,
  what: string,
  baseline: number,
  expected: number,
  timeoutMs: number,
): Promise<void> {
  const { system, progress } = context;
  const deadline = Date.now() + timeoutMs;
  let lastReport = Date.now();
  for (;;) {
    const handled = (await system.segmentStats()).distinctSucceeded - baseline;
    if (handled >= expected && (await system.tables.messages.countUndone()) === 0) return;
    if (Date.now() - lastReport >= 5_000) {
      progress(`${what}: ${handled.toLocaleString('en-US')} of ${expected.toLocaleString('en-US')} handled`);
      lastReport = Date.now();
    }
    if (Date.now() > deadline) {
      throw new Error(`${what}: only ${handled} of ${expected} messages done after ${timeoutMs / 1000} s`);
    }
    await sleep(250);
  }
}

/**
 * Calls `send(from, count)` so that `total` items go out at `rate` per second from now, in small steps; each call is
 * awaited before the next, and a slow call is caught up by the next step.
 */
export async function paced(
  total: number,
  rate: number,
  send: (from: number, count: number) => Promise<void>,
  stepMs = 20,
): Promise<void> {
  const started = Date.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - started) * rate) / 1000) + 1);
    if (due > sent) {
      await send(sent, due - sent);
      sent = due;
    } else {
      await sleep(stepMs);
    }
  }
}

/**
 * Waits until every consumer group of the system has caught up (the log writer with the logs of the last run, the
 * retry scheduler and the executor with the event log...), so a run does not share the machine with the last one's
 * tail. Commits trail the work a little, so a group counts as caught up at a lag of 0.
 */
export async function settle(context: BenchContext): Promise<void> {
  const { client, progress } = context;
  const groups = systemConsumerGroups(client.topics);
  const lag = client.createGroupLag();
  const started = Date.now();
  try {
    await waitFor(
      async () => {
        const totals = await Promise.all(groups.map(([group, topic]) => lag.read(group, topic)));
        return totals.every((t) => t.total === 0);
      },
      { description: 'every consumer group to catch up', timeoutMs: 180_000, intervalMs: 500 },
    );
  } finally {
    await lag.disconnect();
  }
  progress(`settled: every consumer group caught up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

/** The client services' consumer groups, each with the topic it reads: [group, topic]. */
export function systemConsumerGroups(topics: TopicNames): Array<[string, string]> {
  const ns = topics.namespace;
  return [
    [`${ns}.executor.events`, topics.received],
    [`${ns}.executor.events`, topics.events],
    [`${ns}.executor.outcomes`, topics.outcomes],
    [`${ns}.executor.outbound`, topics.outbound],
    [`${ns}.retry-scheduler`, topics.events],
    [`${ns}.log-writer`, topics.logs],
  ];
}
