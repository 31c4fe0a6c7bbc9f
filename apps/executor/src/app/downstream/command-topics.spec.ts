import type { TopicSpec } from '@smartlink/messaging';
import { CommandTopics } from './command-topics';

class AdminDouble {
  readonly requests: string[][] = [];
  failNext = false;

  async ensureTopics(specs: readonly TopicSpec[]) {
    this.requests.push(specs.map((spec) => spec.name));
    if (this.failNext) {
      this.failNext = false;
      throw new Error('broker unavailable');
    }
    return { created: specs.map((spec) => spec.name), existing: [] };
  }
}

const client = { topicSpec: (name: string): TopicSpec => ({ name, partitions: 6 }) };

describe('CommandTopics', () => {
  it('asks for each topic once, however many chunks need it', async () => {
    const admin = new AdminDouble();
    const topics = new CommandTopics(admin, client);

    await Promise.all([topics.ensure(['ns.cmd.A', 'ns.cmd.B', 'ns.cmd.A']), topics.ensure(['ns.cmd.A'])]);
    await topics.ensure(['ns.cmd.B', 'ns.cmd.C']);

    expect(admin.requests).toEqual([['ns.cmd.A', 'ns.cmd.B'], ['ns.cmd.C']]);
  });

  describe('when the broker refuses', () => {
    it('fails the chunk and asks again next time', async () => {
      const admin = new AdminDouble();
      const topics = new CommandTopics(admin, client);
      admin.failNext = true;

      await expect(topics.ensure(['ns.cmd.A'])).rejects.toThrow('broker unavailable');
      await topics.ensure(['ns.cmd.A']);

      expect(admin.requests).toEqual([['ns.cmd.A'], ['ns.cmd.A']]);
    });
  });
});
