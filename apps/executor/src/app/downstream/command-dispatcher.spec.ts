import type { CommandMessage } from '@smartlink/messaging';
import {
  FIXED_CLOCK,
  Journal,
  LoggerDouble,
  ProducerDouble,
  TOPICS,
} from '../../../test/support/downstream-doubles';
import { ExecutorCounters } from '../metrics/executor-counters';
import { MessageLog } from '../records/message-log';
import { CommandDispatcher } from './command-dispatcher';

function command(id: string, name: string): CommandMessage {
  return {
    id,
    command: name,
    tenantId: 't1',
    correlatedId: 'corr-1',
    attempt: 3,
    data: '{}',
    receivedAt: '2026-11-28T10:00:00.000Z',
  };
}

describe('CommandDispatcher', () => {
  describe('when a stored command can never be a topic name', () => {
    it('does not execute it, and logs why to stdout and <ns>.logs with its id, command, attempt and correlation', async () => {
      const journal = new Journal();
      const producer = new ProducerDouble(journal);
      const logger = new LoggerDouble();
      const counters = new ExecutorCounters();
      const dispatcher = new CommandDispatcher({
        producer,
        topics: TOPICS,
        commandTopics: { ensure: async (names) => journal.add(`kafka:ensure ${names.join(' ')}`) },
        counters,
        messageLog: new MessageLog(logger),
        clock: FIXED_CLOCK,
        dispatchTimeoutMs: 60_000,
      });

      const published = await dispatcher.publish(
        [command('ok', 'DemoPing'), command('bad', 'no spaces allowed')],
        { dispatchedAt: FIXED_CLOCK.now() },
      );

      expect(published.map((c) => c.id)).toEqual(['ok']);
      expect(counters.published).toBe(1);
      expect(logger.lines).toEqual([
        {
          level: 'error',
          message: expect.stringMatching(/^Message bad is not executed: /),
          fields: { messageId: 'bad', command: 'no spaces allowed', attempt: 3, correlationId: 'corr-1' },
        },
      ]);
      const logs = producer.sent.filter((batch) => batch.topic === TOPICS.logs).flatMap((b) => b.records);
      expect(logs.map((r) => [r.key, JSON.parse(String(r.value))])).toEqual([
        [
          'bad',
          expect.objectContaining({
            messageId: 'bad',
            type: 2,
            source: 'executor',
            message: expect.stringMatching(/^Message bad is not executed/),
          }),
        ],
      ]);
    });
  });
});
