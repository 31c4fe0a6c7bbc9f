import { randomUUID } from 'node:crypto';
import type { EventProducer } from '@smartlink/messaging';
import type { SegmentStats } from '../stats/segment-stats';
import type { EnsuredTopic } from './ensured-topic';
import { outboundDraft, type OutboundDraft } from './outbound-draft';
import type { StandalonePublishInput } from './publish-input';

/** What {@link SegmentPublisher} works with; `SegmentModule` wires it, unit tests pass typed doubles. */
export interface SegmentPublisherDeps {
  /** `<ns>.outbound`, created if missing before the first send. */
  readonly topic: Pick<EnsuredTopic, 'name' | 'ensure'>;
  readonly producer: Pick<EventProducer, 'send'>;
  /** Bound on `data`, in UTF-8 bytes (SEGMENT_MAX_PUBLISH_BYTES). */
  readonly maxDataBytes: number;
  readonly stats: Pick<SegmentStats, 'recordPublished'>;
  /** Ids for messages published without one; random UUIDs by default. */
  readonly newId?: () => string;
}

/**
 * Publishes messages for the cloud (RM's `IRMSSmartLinkPublisherService.AddMessage`) on `<ns>.outbound`, from
 * anywhere in a segment app: a controller, a scheduled job, a service. The executor stores each one in
 * GTOTVSLINKMESSAGE and sends it to `send/{command}/{audience}`, retrying under the retry policy.
 *
 * Inside a handler prefer `context.reply` / `context.publish`: those go out with the attempt's outcome, only when it
 * succeeds, and keep their ids when the handler runs again.
 *
 * @example
 * constructor(private readonly publisher: SegmentPublisher) {}
 * const id = await this.publisher.publish({ command: 'SGDPTenantMetadata', audience: 'SGDP', data: JSON.stringify(meta) });
 */
export class SegmentPublisher {
  private readonly newId: () => string;

  constructor(private readonly deps: SegmentPublisherDeps) {
    this.newId = deps.newId ?? randomUUID;
  }

  /**
   * Validates the message, then resolves with its id once `<ns>.outbound` has it durably (acks=all).
   * @throws InvalidPublishError (before anything is sent) when the input breaks the contract; a Kafka error
   *   (`KAFKA_UNAVAILABLE`, retriable) when the broker cannot take it. Publishing again with the same `id` is safe.
   */
  async publish(input: StandalonePublishInput): Promise<string> {
    const [id] = await this.publishAll([input]);
    return id as string;
  }

  /**
   * {@link publish} for several messages in one send: every input is validated before any is sent, and the call
   * resolves with their ids, in order, once all of them are durable.
   */
  async publishAll(inputs: readonly StandalonePublishInput[]): Promise<string[]> {
    const drafts: OutboundDraft[] = inputs.map((input) =>
      outboundDraft(input, this.idOf(input), this.deps.maxDataBytes),
    );
    if (drafts.length === 0) return [];
    await this.deps.topic.ensure();
    await this.deps.producer.send(
      this.deps.topic.name,
      drafts.map((draft) => draft.record),
    );
    this.deps.stats.recordPublished(drafts.length);
    return drafts.map((draft) => draft.id);
  }

  private idOf(input: StandalonePublishInput): string {
    const given: unknown = typeof input === 'object' && input !== null ? input.id : undefined;
    return given === undefined ? this.newId() : (given as string);
  }
}
