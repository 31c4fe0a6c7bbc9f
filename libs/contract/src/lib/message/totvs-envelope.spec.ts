import { buildTotvsEnvelope } from './totvs-envelope';

const generatedOn = new Date('2026-11-28T10:00:00.000Z');

describe('buildTotvsEnvelope', () => {
  it('writes header {type, tenantId, generatedOn, transactionId, correlationId} and the JSON payload as content', () => {
    expect(
      buildTotvsEnvelope({
        type: 'SGDPMaskResponse',
        tenantId: 'e21c8e75-9dfc-4169-a599-e233538d72a4',
        data: '{"requestID":"1bc180de","roles":[]}',
        generatedOn,
        transactionId: 'up-1',
        correlationId: 'cloud-7',
      }),
    ).toBe(
      '{"header":{"type":"SGDPMaskResponse","tenantId":"e21c8e75-9dfc-4169-a599-e233538d72a4",' +
        '"generatedOn":"2026-11-28T10:00:00.000Z","transactionId":"up-1","correlationId":"cloud-7"},' +
        '"content":{"requestID":"1bc180de","roles":[]}}',
    );
  });

  it('leaves out a correlation and a transaction id it was not given', () => {
    expect(
      buildTotvsEnvelope({ type: 'T', tenantId: 't', data: '1', generatedOn, correlationId: null }),
    ).toBe('{"header":{"type":"T","tenantId":"t","generatedOn":"2026-11-28T10:00:00.000Z"},"content":1}');
  });

  it('keeps JSON payload text byte for byte: integers above 2^53 and spacing survive', () => {
    const data = '{ "amount": 12345678901234567890123, "cpf": "40254898765" }';
    const body = buildTotvsEnvelope({ type: 'T', tenantId: 't', data, generatedOn });
    expect(body.endsWith(`"content":${data}}`)).toBe(true);
  });

  it('sends text that is not JSON as a JSON string', () => {
    const body = buildTotvsEnvelope({ type: 'T', tenantId: 't', data: '<nota n="1"/>', generatedOn });
    expect(body.endsWith('"content":"<nota n=\\"1\\"/>"}')).toBe(true);
    expect(JSON.parse(buildTotvsEnvelope({ type: 'T', tenantId: 't', data: '', generatedOn }))).toMatchObject(
      {
        content: '',
      },
    );
  });

  it('refuses an illegal type before anything is written', () => {
    expect(() => buildTotvsEnvelope({ type: 'a/b', tenantId: 't', data: '1', generatedOn })).toThrow(
      expect.objectContaining({ code: 'ILLEGAL_COMMAND_NAME' }),
    );
  });
});
