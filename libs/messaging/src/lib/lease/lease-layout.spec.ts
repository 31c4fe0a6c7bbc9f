import { IllegalLeaseNameError } from './illegal-lease-name-error';
import { leaseGroupName, leaseTiming } from './lease-layout';

describe('leaseGroupName', () => {
  it('names group and topic under the namespace', () => {
    expect(leaseGroupName('smartlink', 'poller')).toBe('smartlink.poller.lease');
  });

  it.each(['', '.poller', 'pol ler', 'a/b', 'x'.repeat(51)])('refuses %j', (name) => {
    expect(() => leaseGroupName('smartlink', name)).toThrow(IllegalLeaseNameError);
  });
});

describe('leaseTiming', () => {
  it('beats ten times per session and never waits for a member silent for a whole session', () => {
    expect(leaseTiming(10_000)).toEqual({
      sessionTimeoutMs: 10_000,
      heartbeatIntervalMs: 1_000,
      maxWaitTimeMs: 1_000,
      rebalanceTimeoutMs: 10_000,
    });
  });
});
