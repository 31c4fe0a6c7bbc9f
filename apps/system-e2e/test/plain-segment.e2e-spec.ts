import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { AttemptStatus, LogType, MessageStatus } from '@smartlink/rm-tables';
import { uniqueName, waitFor } from '@smartlink/testing';
import { TENANT, TestSystem } from '@smartlink/system-harness';

// A segment written without the segment SDK, from docs/segments-without-sdk.md alone (plain-segment/plain-segment.mjs:
// @platformatic/kafka, literal topic and header names, no library of this project), runs as a process beside the
// services instead of the example segment: the system must treat it like any segment.

const COMMAND = 'PlainSegmentTask';
/** Up to three attempts, 200 ms apart: the failed attempt is retried at once. */
const POLICY = { retry: { maxAttempts: 3, strategy: 'fixed', initialDelayMs: 200, jitter: 0 } };

/** Starts the plain segment and resolves once it consumes its command topic. */
async function startPlainSegment(namespace: string, log: string[]): Promise<ChildProcess> {
  const child = spawn(process.execPath, [join(__dirname, 'plain-segment', 'plain-segment.mjs')], {
    env: {
      PATH: process.env['PATH'] ?? '',
      KAFKA_BROKERS: process.env['KAFKA_BROKERS'] ?? '',
      NAMESPACE: namespace,
      COMMAND,
      SEGMENT_NAME: 'plain',
      // The services' KAFKA_TOPIC_PARTITIONS default.
      TOPIC_PARTITIONS: '6',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => log.push(chunk.toString('utf8')));
  child.stderr?.on('data', (chunk: Buffer) => log.push(chunk.toString('utf8')));
  await waitFor(() => log.join('').includes(`consuming ${namespace}.cmd.${COMMAND}`), {
    description: 'the plain segment to consume its command topic',
    timeoutMs: 60_000,
    abortIf: () => (child.exitCode === null ? null : new Error(`the plain segment exited: ${log.join('')}`)),
  });
  return child;
}

describe('a segment without the SDK, end to end, on sqlite', () => {
  const namespace = uniqueName('e2e_plain');
  const segmentLog: string[] = [];
  let system: TestSystem;
  let segment: ChildProcess | undefined;
  const fail = (error: Error) =>
    Promise.reject(
      new Error(`${error.message}\n--- plain segment ---\n${segmentLog.join('')}\n${system.logs()}`),
    );

  beforeAll(async () => {
    system = await TestSystem.start({
      database: 'sqlite',
      commands: [COMMAND],
      namespace,
      without: ['example-segment'],
      retryPolicy: POLICY,
    });
    segment = await startPlainSegment(namespace, segmentLog);
  });

  afterAll(async () => {
    if (segment && segment.exitCode === null) {
      const exited = new Promise((resolve) => segment?.once('exit', resolve));
      segment.kill('SIGTERM');
      await exited;
    }
    await system?.stop();
  });

  it('executes, retries, dead-letters, logs and replies through the topics alone', async () => {
    const [succeeds, failsFirst, fatal, replies] = await system.sim.enqueue(TENANT, [
      { style: 'totvs', type: COMMAND, content: { act: 'succeed', log: 'plain segment did it' } },
      { style: 'totvs', type: COMMAND, content: { act: 'fail-first' } },
      { style: 'totvs', type: COMMAND, content: { act: 'fatal', log: 'plain segment gives up' } },
      { style: 'totvs', type: COMMAND, content: { act: 'reply' } },
    ]);
    const ids = [succeeds, failsFirst, fatal, replies].map((m) => m?.id ?? '');
    const [succeedsId, failsFirstId, fatalId, repliesId] = ids as [string, string, string, string];

    // Success on the first attempt, success on the second after a failure, one fatal attempt.
    const historyOf = async (id: string) =>
      (await system.tables.attempts.findByMessageIds([id]))
        .map((h) => [h.attempt, h.status, h.error] as const)
        .sort((a, b) => a[0] - b[0]);
    await waitFor(
      async () =>
        (await system.successRows([succeedsId, failsFirstId, repliesId])).length === 3 &&
        (await historyOf(fatalId)).length === 1,
      { description: 'three successes and one fatal attempt', timeoutMs: 120_000, intervalMs: 500 },
    ).catch(fail);
    expect(await historyOf(succeedsId)).toEqual([[1, AttemptStatus.Success, null]]);
    expect(await historyOf(failsFirstId)).toEqual([
      [1, AttemptStatus.Failure, 'plain segment: attempt 1 fails on purpose'],
      [2, AttemptStatus.Success, null],
    ]);
    expect(await historyOf(fatalId)).toEqual([
      [1, AttemptStatus.Fatal, 'plain segment: this message can never succeed'],
    ]);

    // The fatal message is dead-lettered: its row stays, dead; the others are gone.
    await waitFor(
      async () => (await system.tables.messages.findByIds([fatalId]))[0]?.status === MessageStatus.Dead,
      { description: 'the fatal message to be dead', timeoutMs: 60_000 },
    ).catch(fail);
    expect(await system.tables.messages.findByIds([succeedsId, failsFirstId, repliesId])).toEqual([]);

    // The segment's log records land in GTOTVSLINKLOG.
    const logs = await waitFor(
      async () => {
        const rows = (await system.tables.logs.findByMessageIds([succeedsId, fatalId])).filter((r) =>
          r.debug?.includes('source: segment:plain'),
        );
        return rows.length >= 2 && rows;
      },
      { description: "the plain segment's log rows", timeoutMs: 60_000, intervalMs: 500 },
    ).catch(fail);
    expect(logs.map((r) => [r.messageId, r.type, r.message]).sort()).toEqual(
      [
        [succeedsId, LogType.Info, 'plain segment did it'],
        [fatalId, LogType.Error, 'plain segment gives up'],
      ].sort(),
    );

    // The reply reaches the simulated cloud, in the TOTVS envelope, correlated to the message it answers.
    const reply = await waitFor(
      async () =>
        (await system.sim.sent(TENANT)).entries.find((s) => s.envelope?.correlationId === repliesId),
      { description: 'the reply at the simulator', timeoutMs: 60_000, intervalMs: 500 },
    ).catch(fail);
    expect(reply).toMatchObject({
      type: `${COMMAND}Reply`,
      audience: 'plain-app',
      body: { content: { answered: repliesId, by: 'segment:plain' } },
      envelope: { style: 'totvs', id: `${repliesId}.reply`, tenantId: TENANT, problems: [] },
    });
    expect(await system.successRows([`${repliesId}.reply`])).toHaveLength(1);
  });
});
