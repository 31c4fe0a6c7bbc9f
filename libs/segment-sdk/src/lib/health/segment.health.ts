import { Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { SegmentRuntime } from '../runtime/segment-runtime';

/**
 * Readiness of a segment for `HealthModule`: up while its consumer is in the group and consuming, with the group
 * and the commands it serves; down while it joins, rebalances away for good, or stops.
 *
 * @example
 * HealthModule.forRoot({
 *   inject: [SegmentHealthIndicator, KafkaHealthIndicator],
 *   readiness: (segment: SegmentHealthIndicator, kafka: KafkaHealthIndicator) => [
 *     () => kafka.isHealthy('kafka'),
 *     () => segment.isConsuming('segment'),
 *   ],
 * })
 */
@Injectable()
export class SegmentHealthIndicator {
  constructor(
    private readonly indicators: HealthIndicatorService,
    private readonly runtime: SegmentRuntime,
  ) {}

  isConsuming<const Key extends string = 'segment'>(key: Key = 'segment' as Key): HealthIndicatorResult<Key> {
    const indicator = this.indicators.check(key);
    const detail = { groupId: this.runtime.groupId, commands: this.runtime.commands() };
    return this.runtime.isConsuming()
      ? indicator.up(detail)
      : indicator.down({ ...detail, message: 'the segment consumer is not running in its group' });
  }
}
