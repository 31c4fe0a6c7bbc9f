import { Controller, Get } from '@nestjs/common';
import { KafkaLease, type LeaseState } from '@smartlink/messaging';
import { Backpressure } from '../backlog/backpressure';
import { PollerStatus, type PollerCounters } from '../poller-status';

/** What `GET /stats` answers on the poller. */
export interface PollerStats {
  readonly counters: PollerCounters;
  /** `active` on the one replica that holds the lease and polls; `standby` on the others. */
  readonly lease: LeaseState;
  readonly backlog: ReturnType<Backpressure['snapshot']>;
}

/** `GET /stats`: the poller's counters, where it stands on the lease and its backlog, as JSON for operators. */
@Controller('stats')
export class StatsController {
  constructor(
    private readonly status: PollerStatus,
    private readonly lease: KafkaLease,
    private readonly backpressure: Backpressure,
  ) {}

  @Get()
  stats(): PollerStats {
    return {
      counters: { ...this.status.snapshot() },
      lease: this.lease.state(),
      backlog: this.backpressure.snapshot(),
    };
  }
}
