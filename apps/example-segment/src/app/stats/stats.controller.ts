import { Controller, Get } from '@nestjs/common';
import { SegmentStats, type SegmentStatsSnapshot } from '@smartlink/segment-sdk';
import { SucceededMessages } from './succeeded-messages';

/** What `GET /stats` answers. */
export interface ExampleSegmentStats extends SegmentStatsSnapshot {
  /** Distinct message ids handled successfully by this instance. */
  readonly distinctSucceeded: number;
}

/** The SDK's counters and the distinct successes, for end-to-end tests and a quick look by hand. */
@Controller('stats')
export class StatsController {
  constructor(
    private readonly stats: SegmentStats,
    private readonly succeeded: SucceededMessages,
  ) {}

  @Get()
  get(): ExampleSegmentStats {
    return { ...this.stats.snapshot(), distinctSucceeded: this.succeeded.size };
  }
}
