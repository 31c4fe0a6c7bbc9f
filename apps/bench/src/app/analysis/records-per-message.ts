import type { OffsetsSnapshot } from '@smartlink/messaging';

/** One topic of the system over a run: what was appended to it, and who read it. */
export interface TopicRecords {
  /** Records appended to the topic over the run (end offset after − before, summed over partitions). */
  readonly produced: number;
  readonly producedPerMessage: number;
  /** Per consumer group that committed past records of this topic over the run: those records per message. */
  readonly readBy: Readonly<Record<string, number>>;
}

/** One consumer group of the system over a run: the records it committed past, per topic. */
export interface GroupRecords {
  /** Records the group committed past over the run (committed offset after − before, summed over partitions). */
  readonly consumed: number;
  readonly consumedPerMessage: number;
  /** Per topic the group read: records per message. */
  readonly topics: Readonly<Record<string, number>>;
}

/**
 * The Kafka records a run cost, per message it handled: produced = records appended to the system's topics (every
 * topic of its namespace), consumed = records the system's consumer groups (every group of its namespace) committed
 * past. Topic and group names are given without the namespace (`events`, `executor.events`); topics and groups with
 * no record in the run are left out.
 */
export interface RecordsPerMessage {
  /** Messages the run handled (the divisor). */
  readonly messages: number;
  /** Records produced per message, all topics. */
  readonly produced: number;
  /** Records consumed per message, all groups. */
  readonly consumed: number;
  readonly producedRecords: number;
  readonly consumedRecords: number;
  readonly topics: Readonly<Record<string, TopicRecords>>;
  readonly groups: Readonly<Record<string, GroupRecords>>;
}

type Offsets = Readonly<Record<string, string>>;

/** An offset as a count from the start of the partition; a negative one (never committed) or a missing one is 0. */
const from = (offset: string | undefined): bigint => {
  const value = offset === undefined ? 0n : BigInt(offset);
  return value < 0n ? 0n : value;
};

/**
 * after − before summed over the partitions of `after`. A partition missing before (created during the run) counts
 * from 0, as does a group's first commit on it: the system's groups start at the beginning of their topics. An
 * offset that went back (a topic deleted and created again, offsets reset) makes the count meaningless: it throws.
 */
function delta(before: Offsets | undefined, after: Offsets, what: string): number {
  let sum = 0n;
  for (const [partition, offset] of Object.entries(after)) {
    const d = from(offset) - from(before?.[partition]);
    if (d < 0n) throw new Error(`${what}[${partition}] went back from ${before?.[partition]} to ${offset}`);
    sum += d;
  }
  return Number(sum);
}

const perMessage = (count: number, messages: number) => Math.round((count / messages) * 1000) / 1000;

/**
 * Records produced and consumed per message between two snapshots of the system's namespace (before and after a
 * run, the system caught up at both ends), broken down by topic and by group.
 */
export function recordsPerMessage(
  before: OffsetsSnapshot,
  after: OffsetsSnapshot,
  messages: number,
): RecordsPerMessage {
  if (!(messages > 0)) throw new RangeError(`records per message need messages handled, got ${messages}`);
  const short = (name: string) => (name.startsWith(after.prefix) ? name.slice(after.prefix.length) : name);
  const produced = new Map<string, number>();
  for (const [topic, ends] of Object.entries(after.topics)) {
    const count = delta(before.topics[topic], ends, `the end offset of ${topic}`);
    if (count > 0) produced.set(topic, count);
  }
  const groups: Record<string, GroupRecords> = {};
  const readers = new Map<string, Record<string, number>>();
  let consumedRecords = 0;
  for (const [group, byTopic] of Object.entries(after.groups)) {
    const topics: Record<string, number> = {};
    let consumed = 0;
    for (const [topic, commits] of Object.entries(byTopic)) {
      const count = delta(before.groups[group]?.[topic], commits, `the commit of ${group} on ${topic}`);
      if (count === 0) continue;
      consumed += count;
      topics[short(topic)] = perMessage(count, messages);
      const readBy = readers.get(topic) ?? {};
      readBy[short(group)] = perMessage(count, messages);
      readers.set(topic, readBy);
    }
    if (consumed === 0) continue;
    consumedRecords += consumed;
    groups[short(group)] = { consumed, consumedPerMessage: perMessage(consumed, messages), topics };
  }
  const topics: Record<string, TopicRecords> = {};
  for (const topic of [...new Set([...produced.keys(), ...readers.keys()])].sort()) {
    const count = produced.get(topic) ?? 0;
    topics[short(topic)] = {
      produced: count,
      producedPerMessage: perMessage(count, messages),
      readBy: readers.get(topic) ?? {},
    };
  }
  const producedRecords = [...produced.values()].reduce((sum, n) => sum + n, 0);
  return {
    messages,
    produced: perMessage(producedRecords, messages),
    consumed: perMessage(consumedRecords, messages),
    producedRecords,
    consumedRecords,
    topics,
    groups,
  };
}

/**
 * Per group of the snapshot: the records of the topics it reads that it has not committed past yet. Every group at 0
 * means the system has acted on every record written so far (a group commits only after the effects, records it
 * produced included), so nothing more is on its way. A commit ahead of the end offset read beside it (records written
 * and read between the two reads of the snapshot) counts too: the system was still moving.
 */
export function uncommitted(snapshot: OffsetsSnapshot): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [group, byTopic] of Object.entries(snapshot.groups)) {
    let behind = 0n;
    for (const [topic, commits] of Object.entries(byTopic)) {
      for (const [partition, end] of Object.entries(snapshot.topics[topic] ?? {})) {
        const d = from(end) - from(commits[partition]);
        behind += d < 0n ? -d : d;
      }
    }
    result[group] = Number(behind);
  }
  return result;
}
