import { SucceededMessages } from './succeeded-messages';

describe('SucceededMessages', () => {
  it('counts each id once', () => {
    const succeeded = new SucceededMessages();
    for (const id of ['a', 'b', 'a', 'c', 'b']) succeeded.add(id);
    expect(succeeded.size).toBe(3);
  });

  it('stays bounded: past its capacity it forgets the oldest ids but keeps counting them', () => {
    const succeeded = new SucceededMessages(2);
    for (const id of ['a', 'b', 'c', 'd', 'd']) succeeded.add(id);
    expect(succeeded.size).toBe(4);
    succeeded.add('c'); // still remembered: not counted again
    expect(succeeded.size).toBe(4);
    succeeded.add('a'); // forgotten long ago: the one case counted twice
    expect(succeeded.size).toBe(5);
  });
});
