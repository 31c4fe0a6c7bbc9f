import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { uniqueName, waitFor } from '@smartlink/testing';
import { OnCommand, SegmentHealthIndicator, SegmentStats, type SegmentMessage } from '../src';
import { commandMessage, KafkaObserver } from './kafka-observer';
import { startSegmentApp } from './segment-test-app';

// Graceful shutdown against the real broker. A record's offset is committed before its handler starts, so nothing
// that started is handed back: a handler in flight either finishes within the grace (its outcome is published before
// the app leaves the group) or its attempt is reported failed (the executor retries it). Records that had not started
// are handed back uncommitted and the next member of the group runs them.

/** Shared by every app instance of a test, so the test sees what each instance ran. */
const world = {
  runs: [] as string[],
  holdSlow: true,
  release: new Map<string, () => void>(),
};

@Injectable()
class ShutdownHandlers {
  @OnCommand('ItSlow')
  slow(message: SegmentMessage): Promise<void> | void {
    world.runs.push(message.id);
    if (!world.holdSlow) return;
    return new Promise((resolve) => world.release.set(message.id, resolve));
  }

  @OnCommand('ItPing')
  ping(message: SegmentMessage): void {
    world.runs.push(message.id);
  }
}

const runsOf = (id: string) => world.runs.filter((run) => run === id).length;

describe('a segment app shutting down', () => {
  const namespace = uniqueName('segment_sdk_shutdown');
  const observer = new KafkaObserver(namespace);
  const apps: TestingModule[] = [];

  async function start(shutdownGraceMs: number): Promise<TestingModule> {
    const app = await startSegmentApp(namespace, [ShutdownHandlers], { shutdownGraceMs });
    apps.push(app);
    const health = app.get(SegmentHealthIndicator);
    await waitFor(() => health.isConsuming().segment.status === 'up', { description: 'the segment to join' });
    return app;
  }

  beforeAll(async () => {
    await observer.start();
  });

  beforeEach(() => {
    world.holdSlow = true;
  });

  // Each test's apps leave the group before the next test, so its messages cannot land on a previous instance.
  afterEach(async () => {
    for (const release of world.release.values()) release();
    for (const app of apps.splice(0)) await app.close();
  });

  afterAll(async () => {
    await observer.stop();
  });

  describe('with a handler in flight that finishes within the grace', () => {
    it('publishes its outcome and commits it before leaving, so the next member does not run it again', async () => {
      const first = await start(20_000);
      const message = commandMessage('ItSlow');
      await observer.dispatch(message);
      await waitFor(() => world.release.has(message.id), { description: 'the slow handler to start' });

      const closing = first.close();
      const health = first.get(SegmentHealthIndicator);
      await waitFor(() => health.isConsuming().segment.status === 'down', {
        description: 'consuming to stop',
      });
      world.release.get(message.id)?.();
      await closing;

      await observer.waitForOutcomes(message.id);
      await start(20_000);
      const sentinel = commandMessage('ItPing');
      await observer.dispatch(sentinel);
      await observer.waitForOutcomes(sentinel.id);
      expect(runsOf(message.id)).toBe(1);
      expect(observer.outcomesOf(message.id)).toEqual([expect.objectContaining({ status: 'succeeded' })]);
    });
  });

  describe('with a handler that outlives the grace', () => {
    it('reports the running attempt failed, and the next member neither runs it again nor reports it', async () => {
      const first = await start(300);
      const message = commandMessage('ItSlow');
      await observer.dispatch(message);
      await waitFor(() => world.release.has(message.id), { description: 'the slow handler to start' });

      await first.close();
      world.holdSlow = false;
      world.release.get(message.id)?.(); // the abandoned run ends; its result must not be published

      await start(20_000);
      const sentinel = commandMessage('ItPing');
      await observer.dispatch(sentinel);
      await observer.waitForOutcomes(sentinel.id);

      expect(runsOf(message.id)).toBe(1);
      expect(observer.outcomesOf(message.id)).toEqual([
        expect.objectContaining({
          status: 'failed',
          error: 'the segment shut down while the handler ran; the attempt is retried',
        }),
      ]);
      expect(observer.markers.filter((m) => m.messageId === message.id)).toHaveLength(1);
    });
  });

  describe('with a record waiting for a slot when shutdown begins', () => {
    it('hands it back uncommitted, and the next member runs it once', async () => {
      const first = await startSegmentApp(namespace, [ShutdownHandlers], {
        shutdownGraceMs: 300,
        concurrency: 1,
      });
      apps.push(first);
      const health = first.get(SegmentHealthIndicator);
      await waitFor(() => health.isConsuming().segment.status === 'up', {
        description: 'the segment to join',
      });
      const running = commandMessage('ItSlow');
      const waiting = commandMessage('ItSlow');
      await observer.dispatch(running);
      await waitFor(() => world.release.has(running.id), { description: 'the slow handler to start' });
      await observer.dispatch(waiting);
      await waitFor(() => first.get(SegmentStats).snapshot().waitingForSlot === 1, {
        description: 'the second record to wait for a slot',
      });

      await first.close();
      world.holdSlow = false;

      await start(20_000);
      await observer.waitForOutcomes(waiting.id);
      const sentinel = commandMessage('ItPing');
      await observer.dispatch(sentinel);
      await observer.waitForOutcomes(sentinel.id);

      expect(runsOf(running.id)).toBe(1);
      expect(observer.outcomesOf(running.id)).toEqual([expect.objectContaining({ status: 'failed' })]);
      expect(runsOf(waiting.id)).toBe(1);
      expect(observer.outcomesOf(waiting.id)).toEqual([expect.objectContaining({ status: 'succeeded' })]);
      expect(observer.markers.filter((m) => m.messageId === waiting.id)).toHaveLength(1);
    });
  });
});
