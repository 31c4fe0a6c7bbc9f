import {
  checkReadBack,
  clientRunFigures,
  clientSlug,
  errorText,
  KEY_BYTES,
  keyNumber,
  numberedKey,
  sendInWindow,
  topicRecords,
} from './client-figures';

/** A promise settled from outside, to drive sends in the order a test chooses. */
function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('clientRunFigures', () => {
  it('gives records per second and CPU milliseconds per 1,000 records', () => {
    // 50,000 records in 2.5 s for 0.6 s user + 0.15 s system CPU.
    expect(clientRunFigures(50_000, 2_500, { user: 600_000, system: 150_000 })).toEqual({
      records: 50_000,
      ms: 2_500,
      cpuMs: 750,
      recordsPerSec: 20_000,
      cpuMsPer1000: 15,
    });
  });

  it('rounds the rate to a record and the CPU to a hundredth of a millisecond', () => {
    expect(clientRunFigures(3, 7, { user: 1_000, system: 0 })).toMatchObject({
      recordsPerSec: 429,
      cpuMsPer1000: 333.33,
    });
  });

  it('is null when nothing was handled or no time passed', () => {
    expect(clientRunFigures(0, 100, { user: 1, system: 1 })).toBeNull();
    expect(clientRunFigures(100, 0, { user: 1, system: 1 })).toBeNull();
  });
});

describe('checkReadBack', () => {
  it('finds nothing wrong when each acknowledged record is there once, rising on its partition', () => {
    expect(
      checkReadBack(
        [
          [0, 2, 4],
          [1, 3, 5],
        ],
        [0, 1, 2, 3, 4, 5],
      ),
    ).toEqual({
      records: 6,
      missing: 0,
      duplicates: 0,
      outOfOrder: 0,
    });
  });

  it('counts extra copies, records behind a later one, and acknowledged records absent', () => {
    // Partition 0 got 2 again after 4 (a batch written twice, the second time behind a later batch); 5 never came.
    expect(
      checkReadBack(
        [
          [0, 2, 4, 2],
          [1, 3],
        ],
        [0, 1, 2, 3, 4, 5],
      ),
    ).toEqual({
      records: 6,
      missing: 1,
      duplicates: 1,
      outOfOrder: 1,
    });
  });

  it('counts each record that follows one sent after it, and no other', () => {
    expect(checkReadBack([[0, 5, 1, 2, 6]], [0, 1, 2, 5, 6])).toMatchObject({ outOfOrder: 2 });
    expect(checkReadBack([[0, 1, 5, 6, 2]], [0, 1, 2, 5, 6])).toMatchObject({ outOfOrder: 1 });
  });

  it('leaves out of "missing" the records on the topic that were never acknowledged', () => {
    expect(checkReadBack([[0, 1, 2]], [0])).toMatchObject({ records: 3, missing: 0 });
  });
});

describe('numbered keys', () => {
  it('carry the record number in a key as long as a message id', () => {
    const key = numberedKey(51_000);
    expect(key).toHaveLength(KEY_BYTES);
    expect(keyNumber(key)).toBe(51_000);
  });

  it('read as NaN when the key is not one', () => {
    expect(keyNumber(Buffer.from('e3b0c442-98fc-1c14-9afb-f4c8996fb924'))).toBeNaN();
    expect(keyNumber(null)).toBeNaN();
  });
});

describe('topicRecords', () => {
  it('sums the end offsets of the partitions', () => {
    expect(topicRecords({ '0': '17000', '1': '17000', '2': '16999' })).toBe(50_999);
    expect(topicRecords(undefined)).toBe(0);
  });
});

describe('clientSlug', () => {
  it('names a client by its package directory, fit for topic and group names', () => {
    expect(clientSlug('@platformatic/kafka')).toBe('platformatic-kafka');
    expect(clientSlug('platformatic-kafka-v1')).toBe('platformatic-kafka-v1');
    expect(clientSlug('kafkajs')).toBe('kafkajs');
  });
});

describe('errorText', () => {
  it('puts the code of a wrapped error beside its message, after the outer message', () => {
    const broker = Object.assign(new Error('Received response with error while executing API Produce(v11)'), {
      apiId: 'OUT_OF_ORDER_SEQUENCE_NUMBER',
    });
    const outer = Object.assign(new Error('Producing messages failed.'), { errors: [broker, broker] });
    expect(errorText(outer)).toBe(
      'Producing messages failed. ← OUT_OF_ORDER_SEQUENCE_NUMBER: Received response with error while executing ' +
        'API Produce(v11)',
    );
  });

  it('follows causes and keeps one line', () => {
    const error = new Error('sending failed\nat broker 1', { cause: new Error('socket hang up') });
    expect(errorText(error)).toBe('sending failed at broker 1 ← socket hang up');
  });

  it('does not repeat a code the message already names', () => {
    const error = Object.assign(new Error('UNKNOWN_PRODUCER_ID: gone'), { code: 'UNKNOWN_PRODUCER_ID' });
    expect(errorText(error)).toBe('UNKNOWN_PRODUCER_ID: gone');
  });

  it('takes what is not an Error as text, and bounds the length', () => {
    expect(errorText('plain')).toBe('plain');
    expect(errorText(new Error('x'.repeat(2_000))).length).toBeLessThanOrEqual(600);
  });
});

describe('sendInWindow', () => {
  it('keeps at most the limit of sends unresolved, starting the next as one resolves', async () => {
    const sends = [0, 1, 2, 3].map(() => deferred());
    const started: number[] = [];
    const outcome = sendInWindow([0, 1, 2, 3], 2, (i) => {
      started.push(i);
      return (sends[i] as ReturnType<typeof deferred>).promise;
    });
    expect(started).toEqual([0, 1]);
    sends[1]?.resolve();
    await sends[1]?.promise;
    await Promise.resolve();
    expect(started).toEqual([0, 1, 2]);
    sends.forEach((s) => s.resolve());
    await expect(outcome).resolves.toEqual({ resolved: 4, error: null, failed: false });
    expect(started).toEqual([0, 1, 2, 3]);
  });

  it('starts nothing after the first failure, waits for the sends under way and reports that failure', async () => {
    const sends = [0, 1, 2, 3].map(() => deferred());
    const started: number[] = [];
    const outcome = sendInWindow([0, 1, 2, 3], 2, (i) => {
      started.push(i);
      return (sends[i] as ReturnType<typeof deferred>).promise;
    });
    const refused = new Error('OUT_OF_ORDER_SEQUENCE_NUMBER');
    sends[0]?.reject(refused);
    sends[1]?.resolve();
    await expect(outcome).resolves.toEqual({ resolved: 1, error: refused, failed: true });
    expect(started).toEqual([0, 1]);
  });

  it('reports a send that throws before returning a promise as a failure', async () => {
    const outcome = await sendInWindow([0], 1, () => {
      throw new Error('bad options');
    });
    expect(outcome).toMatchObject({ resolved: 0, failed: true });
  });

  it('resolves at once for no items and refuses a limit below one', async () => {
    await expect(sendInWindow([], 3, async () => undefined)).resolves.toEqual({
      resolved: 0,
      error: null,
      failed: false,
    });
    expect(() => sendInWindow([1], 0, async () => undefined)).toThrow(RangeError);
  });
});
