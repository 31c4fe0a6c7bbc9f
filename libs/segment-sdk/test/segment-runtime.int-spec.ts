import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { SmartLinkHeaders } from '@smartlink/messaging';
import { uniqueName, waitFor } from '@smartlink/testing';
import {
  FatalSegmentError,
  OnCommand,
  SegmentHealthIndicator,
  SegmentStats,
  type HandlerContext,
  type SegmentMessage,
} from '../src';
import { commandMessage, KafkaObserver } from './kafka-observer';
import { startSegmentApp } from './segment-test-app';

// A segment app as a team writes it, against the real broker: command messages in on `<ns>.cmd.<Command>`,
// outcomes and logs out on `<ns>.outcomes` and `<ns>.logs`, observed by a consumer group of the test's own.

const HANDLER_TIMEOUT_MS = 1_000;

@Injectable()
class ItHandlers {
  readonly runs = new Map<string, number>();
  /** Lets the test end the handler that never returns, so the process exits. */
  hangRelease: () => void = () => undefined;

  private count(message: SegmentMessage): void {
    const key = `${message.id}#${message.attempt}`;
    this.runs.set(key, (this.runs.get(key) ?? 0) + 1);
  }

  @OnCommand('ItPing')
  ping(message: SegmentMessage, { logger }: HandlerContext): void {
    this.count(message);
    logger.info(`pong ${message.data}`);
  }

  @OnCommand('ItFail')
  fail(message: SegmentMessage): void {
    this.count(message);
    throw new Error('the ledger is locked');
  }

  @OnCommand('ItFatal')
  async fatal(message: SegmentMessage): Promise<void> {
    this.count(message);
    throw new FatalSegmentError('the invoice number is missing');
  }

  @OnCommand('ItHang')
  hang(message: SegmentMessage): Promise<void> {
    this.count(message);
    return new Promise((resolve) => {
      this.hangRelease = resolve;
    });
  }
}

describe('a segment app against a real broker', () => {
  const namespace = uniqueName('segment_sdk');
  const observer = new KafkaObserver(namespace);
  let app: TestingModule;
  let handlers: ItHandlers;

  beforeAll(async () => {
    app = await startSegmentApp(namespace, [ItHandlers], { handlerTimeoutMs: HANDLER_TIMEOUT_MS });
    handlers = app.get(ItHandlers);
    await observer.start();
  });

  afterAll(async () => {
    handlers?.hangRelease();
    await app?.close();
    await observer.stop();
  });

  it('becomes ready once its consumer is in the group <ns>.segment.<name>', async () => {
    const health = app.get(SegmentHealthIndicator);
    await waitFor(() => health.isConsuming().segment.status === 'up', {
      description: 'the segment to be ready',
    });
    expect(health.isConsuming()).toEqual({
      segment: {
        status: 'up',
        groupId: `${namespace}.segment.it`,
        commands: ['ItPing', 'ItFail', 'ItFatal', 'ItHang'],
      },
    });
  });

  describe('when the handler returns', () => {
    it('publishes a succeeded outcome keyed by the message, with the handler log inline', async () => {
      const message = commandMessage('ItPing', { data: 'hello', attempt: 2 });
      await observer.dispatch(message);

      const [outcome] = await observer.waitForOutcomes(message.id);
      expect(outcome).toMatchObject({ messageId: message.id, attempt: 2, status: 'succeeded' });
      expect(outcome?.error).toBeUndefined();
      expect(outcome?.logs).toEqual([
        expect.objectContaining({ type: 0, message: 'pong hello', source: 'segment:it' }),
      ]);
    });
  });

  describe('when the handler throws', () => {
    it('publishes a failed outcome with the error message, and its error log with the stack inline', async () => {
      const message = commandMessage('ItFail');
      await observer.dispatch(message);

      const [outcome] = await observer.waitForOutcomes(message.id);
      expect(outcome).toMatchObject({ status: 'failed', error: 'the ledger is locked' });
      expect(outcome?.logs?.[0]).toMatchObject({
        type: 2,
        message: 'failed: the ledger is locked',
        debug: expect.stringContaining('segment-runtime.int-spec.ts'),
      });
    });
  });

  describe('when the handler throws FatalSegmentError', () => {
    it('publishes a fatal outcome with the reason', async () => {
      const message = commandMessage('ItFatal');
      await observer.dispatch(message);

      const [outcome] = await observer.waitForOutcomes(message.id);
      expect(outcome).toMatchObject({ status: 'fatal', error: 'the invoice number is missing' });
    });
  });

  describe('when the handler never returns', () => {
    it('publishes a failed outcome once the handler timeout passes', async () => {
      const message = commandMessage('ItHang');
      await observer.dispatch(message);

      const [outcome] = await observer.waitForOutcomes(message.id);
      expect(outcome).toMatchObject({
        status: 'failed',
        error: `handler timed out after ${HANDLER_TIMEOUT_MS} ms`,
      });
      expect(
        Date.parse(outcome?.finishedAt ?? '') - Date.parse(outcome?.startedAt ?? ''),
      ).toBeGreaterThanOrEqual(HANDLER_TIMEOUT_MS - 5);
    });
  });

  describe('when an (id, attempt) is delivered again', () => {
    it('answers with the same outcome without running the handler twice, and counts the duplicate', async () => {
      const stats = app.get(SegmentStats);
      const before = stats.duplicatesAbsorbed;
      const message = commandMessage('ItPing');

      await observer.dispatch(message);
      const [first] = await observer.waitForOutcomes(message.id);
      await observer.dispatch(message);
      const outcomes = await observer.waitForOutcomes(message.id, 2);

      // The same outcome; its log lines rode in the first, recorded once, so the repeat carries none.
      expect(first?.logs).toHaveLength(1);
      expect(outcomes[1]).toEqual({ ...first, logs: undefined });
      expect(handlers.runs.get(`${message.id}#1`)).toBe(1);
      expect(stats.duplicatesAbsorbed).toBe(before + 1);

      await observer.dispatch({ ...message, attempt: 2 });
      await observer.waitForOutcomes(message.id, 3);
      expect(handlers.runs.get(`${message.id}#2`)).toBe(1);
    });
  });

  describe('when a record on a command topic is not a command message', () => {
    it('answers fatal for the message its headers name, and goes on with the next one', async () => {
      const bad = uniqueName('bad');
      await observer.send(observer.topics.command('ItPing'), {
        key: bad,
        value: '{"id":',
        headers: { [SmartLinkHeaders.messageId]: bad, [SmartLinkHeaders.attempt]: '1' },
      });
      const good = commandMessage('ItPing');
      await observer.dispatch(good);

      const [outcome] = await observer.waitForOutcomes(bad);
      expect(outcome).toMatchObject({ status: 'fatal', error: expect.stringContaining('not JSON') });
      await observer.waitForOutcomes(good.id);
      expect(app.get(SegmentStats).snapshot().undecodable).toBe(1);
    });
  });

  it('counts handled attempts per command and status', () => {
    expect(app.get(SegmentStats).snapshot().handled).toMatchObject({
      ItPing: { succeeded: expect.any(Number), failed: 0, fatal: 0 },
      ItFail: { succeeded: 0, failed: 1, fatal: 0 },
      ItFatal: { succeeded: 0, failed: 0, fatal: 1 },
      ItHang: { succeeded: 0, failed: 1, fatal: 0 },
    });
  });
});
