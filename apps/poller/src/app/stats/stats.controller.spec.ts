import type { KafkaLease } from '@smartlink/messaging';
import type { Backpressure } from '../backlog/backpressure';
import { PollerStatus } from '../poller-status';
import { StatsController } from './stats.controller';

describe('StatsController (poller)', () => {
  it('answers the counters, where the poller stands on the lease and its backlog', () => {
    const status = new PollerStatus();
    status.count({ gets: 2, received: 5, acked: 5 });
    const lease = { state: () => 'standby' } as unknown as KafkaLease;
    const backlog = { backlog: 120, engaged: false, highWater: 10_000 };
    const backpressure = { snapshot: () => backlog } as unknown as Backpressure;

    const stats = new StatsController(status, lease, backpressure).stats();

    expect(stats).toEqual({
      counters: expect.objectContaining({ gets: 2, received: 5, acked: 5, refused: 0, lastStop: null }),
      lease: 'standby',
      backlog,
    });
  });
});
