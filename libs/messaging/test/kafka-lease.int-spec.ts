import { uniqueName, waitFor } from '@smartlink/testing';
import { KafkaClient, type KafkaLease } from '../src';
import { CollectingLogger, testSettings } from './kafka-test-support';

// The lease against a real broker: group membership decides, so these tests need the real coordinator.

// The broker's smallest accepted session (group.min.session.timeout.ms): hand-overs stay quick.
const SESSION_MS = 6_000;
const JOIN_TIMEOUT_MS = 45_000;

describe('KafkaLease', () => {
  const namespace = uniqueName('lease');
  const client = new KafkaClient(testSettings({ SMARTLINK_TOPIC_NAMESPACE: namespace }), {
    logger: new CollectingLogger(),
  });
  const leases: KafkaLease[] = [];

  function lease(): KafkaLease {
    const created = client.createLease('poller', {
      sessionTimeoutMs: SESSION_MS,
      logger: new CollectingLogger(),
    });
    leases.push(created);
    return created;
  }

  const settled = (...members: KafkaLease[]) =>
    waitFor(
      () =>
        members.every((m) => m.state() === 'active' || m.state() === 'standby') &&
        members.filter((m) => m.isHeld()).length === 1,
      { description: 'every member in the group and exactly one holder', timeoutMs: JOIN_TIMEOUT_MS },
    );

  afterAll(async () => {
    await Promise.all(leases.map((l) => l.stop()));
  });

  it('lets exactly one of two members on one name hold it', async () => {
    const first = lease();
    const second = lease();
    await Promise.all([first.start(), second.start()]);

    await settled(first, second);

    expect([first.state(), second.state()].sort()).toEqual(['active', 'standby']);
    expect(first.groupId).toBe(`${namespace}.poller.lease`);
  });

  it('hands the lease to the standby at once when the holder stops', async () => {
    const [first, second] = leases as [KafkaLease, KafkaLease];
    const holder = first.isHeld() ? first : second;
    const standby = holder === first ? second : first;
    const taken: boolean[] = [];
    standby.onChange((held) => taken.push(held));

    await holder.stop();
    // Well under the session timeout: leaving the group hands over at once, without waiting for expiry.
    await waitFor(() => standby.isHeld(), {
      description: 'the standby to take the lease',
      timeoutMs: SESSION_MS,
    });

    expect(holder.state()).toBe('stopped');
    expect(taken).toEqual([true]);
  });

  it('keeps the lease with its holder when a new member joins', async () => {
    const holder = leases.find((l) => l.isHeld()) as KafkaLease;
    const newcomer = lease();
    await newcomer.start();

    await settled(holder, newcomer);

    expect(holder.state()).toBe('active');
    expect(newcomer.state()).toBe('standby');
  });
});
