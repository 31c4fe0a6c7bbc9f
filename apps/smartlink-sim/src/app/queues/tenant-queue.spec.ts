import { TenantQueue, type QueuedMessage } from './tenant-queue';

const VISIBILITY_MS = 30_000;

function rig() {
  let seq = 0;
  let visibility = VISIBILITY_MS;
  const queue = new TenantQueue(
    () => visibility,
    () => `r${seq++}`,
  );
  const publish = (...ids: string[]) =>
    ids.forEach((id) =>
      queue.enqueue({ id, body: `{"id":"${id}"}`, enqueuedAt: 0, deliveryCount: 0, receipt: null }),
    );
  const ids = (taken: { message: QueuedMessage }[]) => taken.map((t) => t.message.id);
  return {
    queue,
    publish,
    ids,
    setVisibility: (ms: number) => {
      visibility = ms;
    },
  };
}

describe('TenantQueue', () => {
  it('hands out messages in order, at most max per take, each with its own receipt', () => {
    const { queue, publish, ids } = rig();
    publish('a', 'b', 'c');
    const first = queue.take(2, 0);
    expect(ids(first)).toEqual(['a', 'b']);
    expect(new Set(first.map((t) => t.receipt)).size).toBe(2);
    expect(ids(queue.take(10, 0))).toEqual(['c']);
    expect(queue.take(10, 0)).toEqual([]);
  });

  it('keeps taken messages invisible until the visibility timeout runs out', () => {
    const { queue, publish, ids } = rig();
    publish('a');
    queue.take(1, 1000);
    expect(queue.take(1, 1000 + VISIBILITY_MS - 1)).toEqual([]);
    expect(queue.stats(1000 + VISIBILITY_MS - 1)).toMatchObject({ ready: 0, inFlight: 1 });
    expect(ids(queue.take(1, 1000 + VISIBILITY_MS))).toEqual(['a']);
  });

  describe('when a delivery is not acked in time', () => {
    it('redelivers the message ahead of fresh ones, with a new receipt and a higher delivery count', () => {
      const { queue, publish, ids } = rig();
      publish('a');
      const [first] = queue.take(1, 0);
      publish('b');
      const again = queue.take(2, VISIBILITY_MS);
      expect(ids(again)).toEqual(['a', 'b']);
      expect(again[0]?.receipt).not.toBe(first?.receipt);
      expect(again[0]?.message.deliveryCount).toBe(2);
      expect(queue.stats(VISIBILITY_MS)).toMatchObject({ delivered: 3, redelivered: 1 });
    });

    it('ignores an ack with the stale receipt and honours the current one', () => {
      const { queue, publish } = rig();
      publish('a');
      const [stale] = queue.take(1, 0);
      const [current] = queue.take(1, VISIBILITY_MS);
      expect(queue.ack([stale?.receipt ?? ''], VISIBILITY_MS).ignored).toBe(1);
      expect(queue.ack([current?.receipt ?? ''], VISIBILITY_MS).acked).toHaveLength(1);
      expect(queue.stats(10 * VISIBILITY_MS)).toMatchObject({
        ready: 0,
        inFlight: 0,
        acked: 1,
        ignoredAcks: 1,
      });
    });

    it('treats a late ack after expiry as stale even before the message is taken again', () => {
      const { queue, publish } = rig();
      publish('a');
      const [late] = queue.take(1, 0);
      expect(queue.ack([late?.receipt ?? ''], VISIBILITY_MS).ignored).toBe(1);
      expect(queue.stats(VISIBILITY_MS)).toMatchObject({ ready: 1, inFlight: 0 });
    });
  });

  it('removes acked messages for good; unknown and repeated receipts are harmless', () => {
    const { queue, publish } = rig();
    publish('a', 'b');
    const taken = queue.take(2, 0);
    const receipts = taken.map((t) => t.receipt);
    const result = queue.ack([...receipts, 'nope'], 1);
    expect(result.acked.map((a) => a.message.id)).toEqual(['a', 'b']);
    expect(result.acked.map((a) => a.receipt)).toEqual(receipts);
    expect(result.ignored).toBe(1);
    expect(queue.ack(receipts, 2).ignored).toBe(2);
    expect(queue.take(10, 10 * VISIBILITY_MS)).toEqual([]);
    expect(queue.stats(10 * VISIBILITY_MS)).toMatchObject({
      ready: 0,
      inFlight: 0,
      acked: 2,
      ignoredAcks: 3,
    });
  });

  it('applies a changed visibility timeout to later deliveries without disturbing earlier ones', () => {
    const { queue, publish, ids, setVisibility } = rig();
    publish('long', 'short');
    queue.take(1, 0);
    setVisibility(100);
    queue.take(1, 0);
    const redelivered = queue.take(5, 100);
    expect(ids(redelivered)).toEqual(['short']);
    queue.ack(
      redelivered.map((t) => t.receipt),
      100,
    );
    expect(queue.take(5, VISIBILITY_MS - 1)).toEqual([]);
    expect(ids(queue.take(5, VISIBILITY_MS))).toEqual(['long']);
  });

  it('drains 50,000 messages in batches without losing or repeating one', () => {
    const { queue, publish } = rig();
    for (let i = 0; i < 50_000; i++) publish(`m${i}`);
    const seen = new Set<string>();
    for (let batch = queue.take(1000, 0); batch.length > 0; batch = queue.take(1000, 0)) {
      batch.forEach((t) => seen.add(t.message.id));
      expect(
        queue.ack(
          batch.map((t) => t.receipt),
          0,
        ).acked,
      ).toHaveLength(batch.length);
    }
    expect(seen.size).toBe(50_000);
    expect(queue.stats(0)).toMatchObject({ ready: 0, inFlight: 0, acked: 50_000, redelivered: 0 });
  });
});
