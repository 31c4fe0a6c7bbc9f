import { Injectable } from '@nestjs/common';
import type { TestingModule } from '@nestjs/testing';
import { SmartLinkHeaders } from '@smartlink/messaging';
import { uniqueName, waitFor } from '@smartlink/testing';
import {
  InvalidPublishError,
  OnCommand,
  SegmentPublisher,
  SegmentStats,
  type HandlerContext,
  type SegmentMessage,
} from '../src';
import { commandMessage, KafkaObserver } from './kafka-observer';
import { startSegmentApp } from './segment-test-app';

// Publishing for the cloud against the real broker: standalone publishes and handler replies land on
// `<ns>.outbound`, read back by a consumer group of the test's own.

@Injectable()
class ReplyingHandlers {
  @OnCommand('ItAsk')
  ask(message: SegmentMessage, { reply, publish }: HandlerContext): void {
    reply({ command: 'ItAnswer', audience: 'it-app', data: JSON.stringify({ answer: message.data }) });
    publish({ command: 'ItNotice', audience: 'it-app', data: 'noted' });
  }

  @OnCommand('ItAskThenFail')
  askThenFail(message: SegmentMessage, { reply }: HandlerContext): void {
    reply({ command: 'ItAnswer', audience: 'it-app', data: message.data });
    throw new Error('the answer could not be booked');
  }
}

describe('publishing from a segment app against a real broker', () => {
  const namespace = uniqueName('segment_publish');
  const observer = new KafkaObserver(namespace);
  let app: TestingModule;

  beforeAll(async () => {
    app = await startSegmentApp(namespace, [ReplyingHandlers]);
    await observer.start();
  });

  afterAll(async () => {
    await app?.close();
    await observer.stop();
  });

  const outboundOf = (id: string) => observer.outbound.filter((m) => m.id === id);

  describe('SegmentPublisher.publish', () => {
    it('resolves with the id once <ns>.outbound has the message, keyed and headed by that id', async () => {
      const publisher = app.get(SegmentPublisher);

      const id = await publisher.publish({
        command: 'SGDPTenantMetadata',
        audience: 'SGDP',
        data: '{"tenant":"ação"}',
        correlatedId: 'cloud-msg-9',
      });

      const [published] = await waitFor(() => outboundOf(id).length > 0 && outboundOf(id), {
        description: `message ${id} on the outbound topic`,
      });
      expect(published).toEqual({
        id,
        message: {
          command: 'SGDPTenantMetadata',
          audience: 'SGDP',
          data: '{"tenant":"ação"}',
          correlatedId: 'cloud-msg-9',
        },
        headers: expect.objectContaining({
          [SmartLinkHeaders.messageId]: id,
          [SmartLinkHeaders.command]: 'SGDPTenantMetadata',
          [SmartLinkHeaders.correlationId]: 'cloud-msg-9',
        }),
      });
    });

    it('refuses an invalid message without publishing it', async () => {
      const publisher = app.get(SegmentPublisher);
      const before = app.get(SegmentStats).snapshot().published;

      await expect(
        publisher.publish({ id: uniqueName('bad'), command: 'ok', audience: 'no/slash', data: '' }),
      ).rejects.toThrow(InvalidPublishError);
      expect(app.get(SegmentStats).snapshot().published).toBe(before);
    });
  });

  describe('when a handler replies', () => {
    it('publishes the reply, correlated to the handled message, and its other message with the outcome', async () => {
      const message = commandMessage('ItAsk', { data: 'forty-two' });
      await observer.dispatch(message);

      await observer.waitForOutcomes(message.id);
      const published = await waitFor(
        () => {
          const found = observer.outbound.filter((m) => m.message.correlatedId === message.id);
          const notice = observer.outbound.find(
            (m) => m.message.command === 'ItNotice' && m.id !== null && found.every((f) => f.id !== m.id),
          );
          return found.length > 0 && notice !== undefined && { reply: found[0], notice };
        },
        { description: 'the reply and the notice on the outbound topic' },
      );
      expect(published.reply?.message).toEqual({
        command: 'ItAnswer',
        audience: 'it-app',
        data: '{"answer":"forty-two"}',
        correlatedId: message.id,
      });
    });

    it('publishes the same ids when the same message is handled again in a later attempt', async () => {
      const message = commandMessage('ItAsk');
      await observer.dispatch(message);
      await observer.waitForOutcomes(message.id);
      await observer.dispatch({ ...message, attempt: 2 });
      await observer.waitForOutcomes(message.id, 2);

      const replies = await waitFor(
        () => {
          const found = observer.outbound.filter((m) => m.message.correlatedId === message.id);
          return found.length >= 2 && found;
        },
        { description: 'the reply of both attempts' },
      );
      expect(new Set(replies.map((r) => r.id)).size).toBe(1);
    });

    it('publishes nothing when the attempt fails', async () => {
      const message = commandMessage('ItAskThenFail');
      const control = commandMessage('ItAsk');
      await observer.dispatch(message, control);

      const [outcome] = await observer.waitForOutcomes(message.id);
      expect(outcome).toMatchObject({ status: 'failed' });
      // The control message went out after the failed one: once its reply is seen, the failed one's would be too.
      await waitFor(() => observer.outbound.some((m) => m.message.correlatedId === control.id), {
        description: 'the reply of the control message',
      });
      expect(observer.outbound.filter((m) => m.message.correlatedId === message.id)).toEqual([]);
    });
  });
});
