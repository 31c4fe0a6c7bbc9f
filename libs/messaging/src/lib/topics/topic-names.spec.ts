import { IllegalCommandNameError } from '@smartlink/contract';
import { IllegalTopicNamespaceError } from './illegal-topic-namespace-error';
import { TopicNames } from './topic-names';

describe('TopicNames', () => {
  const topics = new TopicNames('smartlink');

  it('prefixes every external topic with the namespace', () => {
    expect([topics.outcomes, topics.outbound, topics.logs, topics.deadletter]).toEqual([
      'smartlink.outcomes',
      'smartlink.outbound',
      'smartlink.logs',
      'smartlink.deadletter',
    ]);
  });

  it('names the internal event log and the received topic under the namespace too', () => {
    expect(topics.events).toBe('smartlink.events');
    expect(topics.received).toBe('smartlink.received');
  });

  it('puts a legal command name under <namespace>.cmd.', () => {
    expect(topics.command('RM.Privacy.EraseData_v2-1')).toBe('smartlink.cmd.RM.Privacy.EraseData_v2-1');
  });

  it('follows a custom namespace', () => {
    const custom = new TopicNames('tenant-a.prod');
    expect(custom.command('Hello')).toBe('tenant-a.prod.cmd.Hello');
    expect(custom.deadletter).toBe('tenant-a.prod.deadletter');
  });

  describe('when the command name may not become a topic', () => {
    it.each([
      ['empty', ''],
      ['a slash', 'a/b'],
      ['a space', 'Erase Data'],
      ['a wildcard', 'cmd.*'],
      ['a leading dot', '.hidden'],
      ['a dot-dot path', '..'],
      ['non-ASCII', 'Exclusão'],
      ['over 100 characters', 'x'.repeat(101)],
    ])('rejects %s with IllegalCommandNameError', (_case, name) => {
      expect(() => topics.command(name)).toThrow(IllegalCommandNameError);
    });

    it('reports the stable, non-retriable code', () => {
      expect(() => topics.command('bad name')).toThrow(
        expect.objectContaining({ code: 'ILLEGAL_COMMAND_NAME', retriable: false }),
      );
    });
  });

  it('refuses an illegal namespace', () => {
    expect(() => new TopicNames('smart link')).toThrow(IllegalTopicNamespaceError);
    expect(() => new TopicNames('')).toThrow(IllegalTopicNamespaceError);
  });
});
