import type { GroupLag } from '@smartlink/messaging';
import { BacklogReader, executorEventsGroup } from './backlog-reader';

describe('BacklogReader', () => {
  it("adds the executor's lag on the received topic and the event log to the undone rows", async () => {
    const asked: string[] = [];
    const reader = new BacklogReader(
      { countUndone: async () => 7 },
      {
        read: async (groupId: string, topic: string): Promise<GroupLag> => {
          asked.push(`${groupId} ${topic}`);
          return { groupId, topic, total: topic === 'ns.received' ? 5 : 2, partitions: [] };
        },
      },
      executorEventsGroup('ns'),
      ['ns.received', 'ns.events'],
    );

    await expect(reader.read()).resolves.toEqual({ undone: 7, lag: 7, total: 14 });
    expect(asked).toEqual(['ns.executor.events ns.received', 'ns.executor.events ns.events']);
  });
});
