import { BadRequestException, ServiceUnavailableException } from '@nestjs/common';
import { SegmentPublisher, type StandalonePublishInput } from '@smartlink/segment-sdk';
import { DemoPublishController } from './demo-publish.controller';

function setup({ failSend = false } = {}) {
  const sent: { topic: string; keys: string[] }[] = [];
  let n = 0;
  const publisher = new SegmentPublisher({
    topic: { name: 'ns.outbound', ensure: async () => undefined },
    producer: {
      send: async (topic, records) => {
        if (failSend) throw new Error('KAFKA_UNAVAILABLE');
        sent.push({ topic, keys: records.map((r) => r.key) });
      },
    },
    maxDataBytes: 1_024,
    stats: { recordPublished: () => undefined },
    newId: () => `id-${++n}`,
  });
  const inputs: StandalonePublishInput[] = [];
  const publishAll = publisher.publishAll.bind(publisher);
  publisher.publishAll = (batch) => {
    inputs.push(...batch);
    return publishAll(batch);
  };
  return { controller: new DemoPublishController(publisher), sent, inputs };
}

describe('POST /demo/publish', () => {
  it('publishes count DemoNotice messages for demo-app in one send and answers their ids', async () => {
    const { controller, sent, inputs } = setup();

    await expect(controller.publish({ count: 3 })).resolves.toEqual({ ids: ['id-1', 'id-2', 'id-3'] });

    expect(sent).toEqual([{ topic: 'ns.outbound', keys: ['id-1', 'id-2', 'id-3'] }]);
    expect(inputs.map((i) => [i.command, i.audience, JSON.parse(i.data).notice])).toEqual([
      ['DemoNotice', 'demo-app', 1],
      ['DemoNotice', 'demo-app', 2],
      ['DemoNotice', 'demo-app', 3],
    ]);
  });

  it('takes the command and audience asked for', async () => {
    const { controller, inputs } = setup();
    await controller.publish({ count: 1, command: 'HrNotice', audience: 'hr-app' });
    expect(inputs[0]).toMatchObject({ command: 'HrNotice', audience: 'hr-app' });
  });

  it.each([
    ['no count', {}],
    ['a count of 0', { count: 0 }],
    ['too many', { count: 1_001 }],
    ['an illegal command', { count: 1, command: 'a/b' }],
    ['an illegal audience', { count: 1, audience: '' }],
  ])('refuses %s with 400 and publishes nothing', async (_label, body) => {
    const { controller, sent } = setup();
    await expect(controller.publish(body)).rejects.toThrow(BadRequestException);
    expect(sent).toEqual([]);
  });

  it('answers 503 when Kafka cannot take the messages', async () => {
    const { controller } = setup({ failSend: true });
    await expect(controller.publish({ count: 1 })).rejects.toThrow(ServiceUnavailableException);
  });
});
