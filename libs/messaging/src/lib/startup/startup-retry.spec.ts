import { SmartLinkError } from '@smartlink/common';
import { KafkaJSConnectionError, KafkaJSProtocolError } from 'kafkajs';
import { StartupRetry } from './startup-retry';

function protocolError(type: string, message: string, retriable: boolean): KafkaJSProtocolError {
  return Object.assign(new KafkaJSProtocolError(message), { type, retriable });
}

const NOT_HOSTED = () =>
  protocolError('UNKNOWN_TOPIC_OR_PARTITION', 'This server does not host this topic-partition', true);
const REFUSED = () => new KafkaJSConnectionError('Connection error: connect ECONNREFUSED 127.0.0.1:9092');

/** A start-up step on a fake clock: each sleep moves the clock on. */
function setup(budgetMs = 120_000) {
  const clock = { now: 1_000_000 };
  const sleeps: number[] = [];
  const warnings: string[] = [];
  const retry = new StartupRetry({
    budgetMs,
    logger: { warn: (message: string) => warnings.push(message) },
    now: () => clock.now,
    sleep: async (ms) => {
      sleeps.push(ms);
      clock.now += ms;
    },
    random: () => 0.5,
  });
  /** A step that fails with the given errors, in order, then resolves with 'done'. */
  const failing = (...errors: Error[]) => {
    let calls = 0;
    const step = async () => {
      calls += 1;
      const error = errors.shift();
      if (error) throw error;
      return 'done';
    };
    return { step, calls: () => calls };
  };
  return { clock, sleeps, warnings, retry, failing };
}

describe('StartupRetry', () => {
  it('resolves at once when the step succeeds, without a warning', async () => {
    const { retry, failing, warnings, sleeps } = setup();

    await expect(retry.run('creating topics ns.events', failing().step)).resolves.toBe('done');
    expect({ warnings, sleeps }).toEqual({ warnings: [], sleeps: [] });
  });

  describe('when the broker is still starting', () => {
    it('retries with growing waits until the step succeeds', async () => {
      const { retry, failing, sleeps } = setup();
      const step = failing(REFUSED(), REFUSED(), NOT_HOSTED(), NOT_HOSTED());

      await expect(retry.run('starting consumer group ns.executor.events', step.step)).resolves.toBe('done');
      expect(step.calls()).toBe(5);
      expect(sleeps).toEqual([500, 1000, 2000, 4000]);
    });

    it('logs each retry as a warning naming the step, the error and how long it still tries', async () => {
      const { retry, failing, warnings } = setup();

      await retry.run('joining lease group ns.poller.lease', failing(NOT_HOSTED()).step);

      expect(warnings).toEqual([
        'Kafka refused joining lease group ns.poller.lease: This server does not host this topic-partition ' +
          '(KAFKA_REQUEST_FAILED); start-up tries joining lease group ns.poller.lease again in 0.5 s, for at most ' +
          '120.0 s more (KAFKA_STARTUP_RETRY_MS)',
      ]);
    });
  });

  describe('when Kafka stays unready past the budget', () => {
    it('fails with KAFKA_STARTUP_TIMED_OUT saying what it waited for, how long and what to check', async () => {
      const { retry, clock } = setup(30_000);
      const started = clock.now;

      const error = await retry
        .run('connecting the producer', () => Promise.reject(REFUSED()))
        .catch((e) => e);

      expect(error).toMatchObject({ code: 'KAFKA_STARTUP_TIMED_OUT', retriable: true });
      expect(error.message).toBe(
        'Kafka was not ready within KAFKA_STARTUP_RETRY_MS (30000 ms) while connecting the producer; last error ' +
          'KAFKA_UNAVAILABLE: Kafka unavailable while connecting the producer: Connection error: connect ' +
          'ECONNREFUSED 127.0.0.1:9092. Check that the brokers in KAFKA_BROKERS are up and reachable from this ' +
          "service, that the topics' partitions have leaders (the brokers' logs say why not), and KAFKA_SSL and " +
          'KAFKA_SASL_*; raise KAFKA_STARTUP_RETRY_MS if the cluster needs longer to start',
      );
      expect(clock.now - started).toBe(30_000);
    });

    it('never waits past the budget: the last wait is cut to what is left', async () => {
      const { retry, sleeps } = setup(10_000);

      await retry.run('connecting the producer', () => Promise.reject(REFUSED())).catch(() => undefined);

      expect(sleeps).toEqual([500, 1000, 2000, 4000, 2500]);
    });

    it('shares one budget across the steps of a start-up', async () => {
      const { retry, failing } = setup(10_000);

      await retry.run('connecting the producer', failing(REFUSED(), REFUSED(), REFUSED(), REFUSED()).step);
      const second = retry.run('creating topics ns.events', () => Promise.reject(NOT_HOSTED()));

      // 7.5 s of the 10 s went on the first step.
      await expect(second).rejects.toMatchObject({ code: 'KAFKA_STARTUP_TIMED_OUT' });
    });
  });

  describe('when the error is not retriable', () => {
    it.each([
      [
        'an authorisation refusal',
        protocolError('TOPIC_AUTHORIZATION_FAILED', 'Not authorized to access topics', false),
      ],
      ['a programming error', new TypeError('x is not a function')],
      [
        'our own non-retriable error',
        new SmartLinkError('KAFKA_AUTHENTICATION_FAILED', 'bad password', false),
      ],
    ])('fails at once on %s', async (_case, cause) => {
      const { retry, sleeps, warnings } = setup();

      await expect(retry.run('creating topics ns.events', () => Promise.reject(cause))).rejects.toMatchObject(
        {
          retriable: false,
        },
      );
      expect({ sleeps, warnings }).toEqual({ sleeps: [], warnings: [] });
    });
  });

  it('with a budget of 0, fails with the first error itself', async () => {
    const { retry, sleeps } = setup(0);

    await expect(retry.run('connecting the producer', () => Promise.reject(REFUSED()))).rejects.toMatchObject(
      {
        code: 'KAFKA_UNAVAILABLE',
      },
    );
    expect(sleeps).toEqual([]);
  });

  it('stops retrying once the caller says it is stopping', async () => {
    const { retry, sleeps } = setup();
    let stopping = false;
    const step = async () => {
      stopping = true;
      throw REFUSED();
    };

    await expect(retry.run('starting consumer group g', step, () => stopping)).rejects.toMatchObject({
      code: 'KAFKA_UNAVAILABLE',
    });
    expect(sleeps).toEqual([]);
  });
});
