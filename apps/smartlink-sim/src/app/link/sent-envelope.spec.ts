import { readSentEnvelope } from './sent-envelope';

const expected = { type: 'PartnerLinkGrr', tenantId: 'e21c8e75-9dfc-4169-a599-e233538d72a4' };

describe('readSentEnvelope', () => {
  it('reads the TOTVS envelope GRR sends (P1 GRRSyncbySL): header tenantId, type, transactionId; content', () => {
    const body: unknown = JSON.parse(
      '{"header":{"tenantId":"e21c8e75-9dfc-4169-a599-e233538d72a4","type":"PartnerLinkGrr",' +
        '"transactionId":"0f8d4c2e-51a7-4b8e-9d1c-7a3e2b6f4c10"},"content":{"externalId":"000001"}}',
    );
    expect(readSentEnvelope(body, expected)).toEqual({
      style: 'totvs',
      id: '0f8d4c2e-51a7-4b8e-9d1c-7a3e2b6f4c10',
      type: 'PartnerLinkGrr',
      tenantId: 'e21c8e75-9dfc-4169-a599-e233538d72a4',
      correlationId: null,
      time: null,
      problems: [],
    });
  });

  it('reads a CloudEvents envelope in the spelling of S13', () => {
    const body: unknown = JSON.parse(
      '{"specversion":"1.0","time":"2022-04-19T19:05:23.9308049Z","correlationid":"f95a7e8c",' +
        '"tenantid":"e21c8e75-9dfc-4169-a599-e233538d72a4","id":"abc3845f","source":"recorrencia",' +
        '"type":"PartnerLinkGrr","data":{"meu":"dado"}}',
    );
    expect(readSentEnvelope(body, expected)).toEqual({
      style: 'cloudevents',
      id: 'abc3845f',
      type: 'PartnerLinkGrr',
      tenantId: 'e21c8e75-9dfc-4169-a599-e233538d72a4',
      correlationId: 'f95a7e8c',
      time: '2022-04-19T19:05:23.9308049Z',
      problems: [],
    });
  });

  it('notes a type that is not the path type, a foreign tenant and a missing payload', () => {
    const body: unknown = JSON.parse('{"header":{"type":"Other","tenantId":"someone-else"}}');
    expect(readSentEnvelope(body, expected)?.problems).toEqual([
      'type "Other" is not the path\'s',
      "tenant is not the token's",
      'no content',
    ]);
  });

  it('reads no envelope in a body of neither style', () => {
    expect(readSentEnvelope({ hello: 1 }, expected)).toBeNull();
    expect(readSentEnvelope([1], expected)).toBeNull();
    expect(readSentEnvelope(false, expected)).toBeNull();
  });
});
