import { CloudEnvelope } from './cloud-envelope';

const message = {
  id: 'up-1',
  command: 'DemoPong',
  correlatedId: 'cloud-7',
  data: '{"a":[1,2],"texto":"ação"}',
  createdAt: new Date('2026-11-28T10:00:00.000Z'),
};

describe('CloudEnvelope', () => {
  it('builds a TOTVS envelope: the id as transactionId, the correlation in the header, the data as content', () => {
    expect(new CloudEnvelope('totvs', 'ignored').build(message, 'tenant-1')).toBe(
      '{"header":{"type":"DemoPong","tenantId":"tenant-1","generatedOn":"2026-11-28T10:00:00.000Z",' +
        '"transactionId":"up-1","correlationId":"cloud-7"},"content":{"a":[1,2],"texto":"ação"}}',
    );
  });

  it('builds a CloudEvents envelope: id, type, correlation, tenant, time, source and the data as JSON', () => {
    expect(new CloudEnvelope('cloudevents', 'rm-acme').build(message, 'tenant-1')).toBe(
      '{"specversion":"1.0","id":"up-1","type":"DemoPong","source":"rm-acme","time":"2026-11-28T10:00:00.000Z",' +
        '"correlationid":"cloud-7","tenantid":"tenant-1","data":{"a":[1,2],"texto":"ação"}}',
    );
  });

  it('carries no correlation when the message answers none, and text that is not JSON as a string', () => {
    const plain = { ...message, correlatedId: null, data: '<pong/>' };
    expect(JSON.parse(new CloudEnvelope('totvs', 's').build(plain, 't'))).toEqual({
      header: {
        type: 'DemoPong',
        tenantId: 't',
        generatedOn: '2026-11-28T10:00:00.000Z',
        transactionId: 'up-1',
      },
      content: '<pong/>',
    });
    expect(JSON.parse(new CloudEnvelope('cloudevents', 's').build(plain, 't'))).toMatchObject({
      correlationid: null,
      data: '<pong/>',
    });
  });
});
