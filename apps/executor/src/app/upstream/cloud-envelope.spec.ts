import { CloudEnvelope, payloadOf } from './cloud-envelope';

const message = {
  id: 'up-1',
  command: 'DemoPong',
  correlatedId: 'cloud-7',
  data: '{"a":[1,2],"texto":"ação"}',
  createdAt: new Date('2026-11-28T10:00:00.000Z'),
};

describe('CloudEnvelope', () => {
  it('builds a CloudEvents envelope: id, type, correlation, tenant, time, source and the data as JSON', () => {
    const body = JSON.parse(
      new CloudEnvelope('cloudevents', 'rm-acme').build(message, 'tenant-1'),
    ) as unknown;
    expect(body).toEqual({
      specversion: '1.0',
      id: 'up-1',
      type: 'DemoPong',
      source: 'rm-acme',
      time: '2026-11-28T10:00:00.000Z',
      correlationid: 'cloud-7',
      tenantid: 'tenant-1',
      data: { a: [1, 2], texto: 'ação' },
    });
  });

  it('builds a TOTVS envelope: the id as transactionId, the correlation in the header, the data as content', () => {
    const body = JSON.parse(new CloudEnvelope('totvs', 'ignored').build(message, 'tenant-1')) as unknown;
    expect(body).toEqual({
      header: {
        type: 'DemoPong',
        tenantId: 'tenant-1',
        generatedOn: '2026-11-28T10:00:00.000Z',
        transactionId: 'up-1',
        correlationId: 'cloud-7',
      },
      content: { a: [1, 2], texto: 'ação' },
    });
  });

  it('carries no correlation when the message answers none', () => {
    const body = JSON.parse(
      new CloudEnvelope('cloudevents', 's').build({ ...message, correlatedId: null }, 't'),
    ) as Record<string, unknown>;
    expect(body['correlationid']).toBeNull();
  });
});

describe('payloadOf', () => {
  it('keeps JSON text as its value and any other text as a string', () => {
    expect(payloadOf('{"x":1}')).toEqual({ x: 1 });
    expect(payloadOf('42')).toBe(42);
    expect(payloadOf('<invoice n="1"/>')).toBe('<invoice n="1"/>');
    expect(payloadOf('')).toBe('');
  });
});
