import { buildCloudEventsEnvelope } from './cloud-events-envelope';

describe('buildCloudEventsEnvelope', () => {
  it('writes the attributes in the spelling of S13 and the JSON payload text as data, byte for byte', () => {
    expect(
      buildCloudEventsEnvelope({
        id: 'up-1',
        type: 'DemoPong',
        tenantId: 'tenant-1',
        data: '{"n": 12345678901234567890123}',
        time: new Date('2026-11-28T10:00:00.000Z'),
        source: 'rm-acme',
        correlationId: 'cloud-7',
      }),
    ).toBe(
      '{"specversion":"1.0","id":"up-1","type":"DemoPong","source":"rm-acme","time":"2026-11-28T10:00:00.000Z",' +
        '"correlationid":"cloud-7","tenantid":"tenant-1","data":{"n": 12345678901234567890123}}',
    );
  });

  it('sends text that is not JSON as a JSON string, and null for a missing correlation and source', () => {
    expect(
      JSON.parse(
        buildCloudEventsEnvelope({ id: 'i', type: 'T', tenantId: 't', data: 'plain', time: new Date(0) }),
      ),
    ).toMatchObject({ source: null, correlationid: null, data: 'plain' });
  });
});
