import { IllegalCommandNameError } from '../command/command-name';
import { MalformedMessageError } from '../errors/malformed-message-error';
import { PayloadTooLargeError } from '../errors/payload-too-large-error';
import { buildCloudEventsEnvelope } from './cloud-events-envelope';
import type { CloudMessage, ReceivedMessage, RefusedMessage } from './cloud-message';
import { parseDelivery } from './cloud-message-parser';
import { buildTotvsEnvelope } from './totvs-envelope';

const QUEUE_TENANT = '11111111-2222-4333-8444-555555555555';
const options = { maxPayloadBytes: 4096, queueTenantId: QUEUE_TENANT };

function accepted(result: ReceivedMessage): CloudMessage {
  if (!result.ok) throw new Error(`expected a message, got ${result.error.message}`);
  return result.message;
}

function refused(result: ReceivedMessage): RefusedMessage {
  if (result.ok) throw new Error(`expected a refusal, got message ${result.message.id}`);
  return result;
}

function refusalOf(body: string, extra: { messageId?: string } = {}): RefusedMessage {
  return refused(parseDelivery({ receipt: 'r-1', body, ...extra }, options));
}

describe('parseDelivery', () => {
  describe('with a CloudEvents envelope', () => {
    // Written by hand: a JS number literal could not hold the 20-digit amount the text must keep.
    const body =
      '{"specversion":"1.0","id":"evt-42","type":"SGDPDataCommand","time":"2024-05-01T12:00:00Z",' +
      '"source":"recorrencia","correlationid":"corr-7","tenantid":"tenant-a",' +
      '"data":{"cpf":"123","amount":12345678901234567890}}';

    it('maps every attribute to the internal model', () => {
      const message = accepted(
        parseDelivery(
          {
            receipt: 'r-1',
            messageId: 'broker-1',
            body,
            deliveryCount: 2,
            enqueuedAt: '2024-05-01T12:00:01Z',
          },
          options,
        ),
      );
      expect(message).toEqual({
        id: 'evt-42',
        command: 'SGDPDataCommand',
        tenantId: 'tenant-a',
        correlatedId: 'corr-7',
        data: '{"cpf":"123","amount":12345678901234567890}',
        source: 'recorrencia',
        occurredAt: '2024-05-01T12:00:00Z',
        envelope: 'cloudevents',
        receipt: 'r-1',
        deliveryCount: 2,
        enqueuedAt: '2024-05-01T12:00:01Z',
      });
    });

    it('keeps the payload text exactly, whitespace and big numbers included', () => {
      const raw =
        '{"specversion":"1.0","id":"e1","type":"T","data" :  { "n" : 12345678901234567890123 , "s":"a\\"}b" } }';
      expect(accepted(parseDelivery({ receipt: 'r', body: raw }, options)).data).toBe(
        '{ "n" : 12345678901234567890123 , "s":"a\\"}b" }',
      );
    });

    it('unwraps a string payload, which may be any text format', () => {
      const raw = JSON.stringify({ specversion: '1.0', id: 'e1', type: 'T', data: '<xml a="1"/>' });
      expect(accepted(parseDelivery({ receipt: 'r', body: raw }, options)).data).toBe('<xml a="1"/>');
    });

    it('reads the camel-case tenantId Protheus writes', () => {
      const raw = JSON.stringify({ specversion: '1.0', id: 'e1', type: 'T', tenantId: 'tenant-b', data: 1 });
      expect(accepted(parseDelivery({ receipt: 'r', body: raw }, options)).tenantId).toBe('tenant-b');
    });

    it('falls back to the queue tenant, the broker id and nulls when attributes are absent', () => {
      const raw = JSON.stringify({ specversion: '1.0', type: 'T', data: null });
      const message = accepted(parseDelivery({ receipt: 'r', body: raw, messageId: 'broker-9' }, options));
      expect(message).toMatchObject({
        id: 'broker-9',
        tenantId: QUEUE_TENANT,
        correlatedId: null,
        source: null,
        occurredAt: null,
        data: 'null',
        deliveryCount: null,
        enqueuedAt: null,
      });
    });

    it('reads what buildCloudEventsEnvelope writes', () => {
      const raw = buildCloudEventsEnvelope({
        id: 'e-9',
        type: 'PartnerLinkGrr',
        tenantId: 't',
        data: '{"a":[1,2]}',
        time: new Date('2024-01-02T03:04:05.678Z'),
        correlationId: 'c',
        source: 'recorrencia',
      });
      expect(accepted(parseDelivery({ receipt: 'r', body: raw }, options))).toMatchObject({
        id: 'e-9',
        command: 'PartnerLinkGrr',
        tenantId: 't',
        correlatedId: 'c',
        data: '{"a":[1,2]}',
        occurredAt: '2024-01-02T03:04:05.678Z',
      });
    });
  });

  describe('with the two sample bodies of TOTVS\' own page (S13, "Integração Descida de Dados Smart Link")', () => {
    // Copied as the page shows them, indentation and all: the test double of the cloud is TOTVS' text, not ours.
    const padraoTotvs = `{
    "header": {
        "type": "Financeiro",
        "tenantId": "e21c8e75-9dfc-4169-a599-e233538d72a4",
        "erpTenant": {
                   "protheus":"T1"
           },
        "generatedOn": "2021-06-08T15:18:08.367574Z",
        "locale": "pt_BR"

    },
    "content": {
        "requestID": "1bc180de-ef14-4b75-83ac-b73ed1fa7518",
        "identifiers": {
            "CPF": "40254898765"
        },
        "roles": []
    }
}`;
    const padraoCloudEvents = `{
 \t"specversion": "1.0",
    "time": "2022-04-19T19:05:23.9308049Z",
    "correlationid": "f95a7e8c-6f27-48e9-a74e-f0439f9ab540",
    "tenantid": "e21c8e75-9dfc-4169-a599-e233538d72a4",
    "id": "abc3845f-2a76-4ab4-b8bd-8abbb495d2c4",
    "source": "recorrencia",
    "type": "Financeiro",
    "data": {
    \t"meu": "dado",
\t\t"CPF": "40254898765"
    }
}`;

    it('reads the "Padrão Totvs" sample, its content kept as the exact text', () => {
      expect(
        accepted(parseDelivery({ receipt: 'r', messageId: 'b-1', body: padraoTotvs }, options)),
      ).toMatchObject({
        id: 'b-1',
        command: 'Financeiro',
        tenantId: 'e21c8e75-9dfc-4169-a599-e233538d72a4',
        correlatedId: null,
        occurredAt: '2021-06-08T15:18:08.367574Z',
        envelope: 'totvs',
        data: `{
        "requestID": "1bc180de-ef14-4b75-83ac-b73ed1fa7518",
        "identifiers": {
            "CPF": "40254898765"
        },
        "roles": []
    }`,
      });
    });

    it('reads the "Padrão CloudEvents" sample', () => {
      expect(accepted(parseDelivery({ receipt: 'r', body: padraoCloudEvents }, options))).toMatchObject({
        id: 'abc3845f-2a76-4ab4-b8bd-8abbb495d2c4',
        command: 'Financeiro',
        tenantId: 'e21c8e75-9dfc-4169-a599-e233538d72a4',
        correlatedId: 'f95a7e8c-6f27-48e9-a74e-f0439f9ab540',
        source: 'recorrencia',
        occurredAt: '2022-04-19T19:05:23.9308049Z',
        envelope: 'cloudevents',
      });
    });

    it('reads the body GRR sends (P1 GRRSyncbySL: header tenantId, type, transactionId; content)', () => {
      const grr =
        '{"header":{"tenantId":"e21c8e75-9dfc-4169-a599-e233538d72a4","type":"PartnerLinkGrr",' +
        '"transactionId":"0f8d4c2e-51a7-4b8e-9d1c-7a3e2b6f4c10"},"content":{"externalId":"000001"}}';
      expect(accepted(parseDelivery({ receipt: 'r', body: grr }, options))).toMatchObject({
        id: '0f8d4c2e-51a7-4b8e-9d1c-7a3e2b6f4c10',
        command: 'PartnerLinkGrr',
        data: '{"externalId":"000001"}',
      });
    });
  });

  describe('with a TOTVS envelope', () => {
    const body = JSON.stringify({
      header: {
        type: 'SGDPUpdateTenantMetada',
        tenantId: 'tenant-t',
        erpTenant: { protheus: { company: '01' } },
        generatedOn: '2024-05-01T12:00:00.000Z',
        locale: 'pt-BR',
        transactionId: 'tx-1',
        correlationId: 'corr-1',
      },
      content: { requestID: 'req-1', identifiers: [1], roles: [] },
    });

    it('takes the broker message id first, since a transaction may span several messages', () => {
      const message = accepted(parseDelivery({ receipt: 'r-2', messageId: 'broker-2', body }, options));
      expect(message).toEqual({
        id: 'broker-2',
        command: 'SGDPUpdateTenantMetada',
        tenantId: 'tenant-t',
        correlatedId: 'corr-1',
        data: '{"requestID":"req-1","identifiers":[1],"roles":[]}',
        source: null,
        occurredAt: '2024-05-01T12:00:00.000Z',
        envelope: 'totvs',
        receipt: 'r-2',
        deliveryCount: null,
        enqueuedAt: null,
      });
    });

    it('falls back to header.transactionId without a broker id', () => {
      expect(accepted(parseDelivery({ receipt: 'r', body }, options)).id).toBe('tx-1');
    });

    it('reads what buildTotvsEnvelope writes, with the queue tenant when the header has none', () => {
      const raw = buildTotvsEnvelope({
        type: 'PartnerLinkGrr',
        tenantId: 'tenant-x',
        data: 'plain text',
        generatedOn: new Date('2024-01-01T00:00:00Z'),
        transactionId: 'tx-9',
      });
      expect(accepted(parseDelivery({ receipt: 'r', body: raw }, options))).toMatchObject({
        id: 'tx-9',
        tenantId: 'tenant-x',
        data: 'plain text',
        correlatedId: null,
      });
      const withoutTenant = JSON.stringify({ header: { type: 'T', transactionId: 'x' }, content: {} });
      expect(accepted(parseDelivery({ receipt: 'r', body: withoutTenant }, options)).tenantId).toBe(
        QUEUE_TENANT,
      );
    });

    it('accepts a byte order mark before the JSON', () => {
      expect(accepted(parseDelivery({ receipt: 'r', body: `\uFEFF${body}` }, options)).command).toBe(
        'SGDPUpdateTenantMetada',
      );
    });
  });

  describe('when the message is malformed', () => {
    it.each([
      ['not JSON', '{"header": ', 'body'],
      ['a JSON array', '[1,2]', 'body'],
      ['a JSON string', '"hello"', 'body'],
      ['neither envelope', '{"foo":1}', 'body'],
      ['a CloudEvents envelope without type', '{"specversion":"1.0","id":"e","data":1}', 'type'],
      ['a CloudEvents type that is not a string', '{"specversion":"1.0","id":"e","type":7,"data":1}', 'type'],
      ['a CloudEvents envelope without id', '{"specversion":"1.0","type":"T","data":1}', 'id'],
      ['an empty CloudEvents id', '{"specversion":"1.0","id":"","type":"T","data":1}', 'id'],
      ['a CloudEvents id with spaces', '{"specversion":"1.0","id":"a b","type":"T","data":1}', 'id'],
      ['a CloudEvents envelope without data', '{"specversion":"1.0","id":"e","type":"T"}', 'data'],
      [
        'a CloudEvents time that is not a date',
        '{"specversion":"1.0","id":"e","type":"T","time":"soon","data":1}',
        'time',
      ],
      ['a numeric specversion', '{"specversion":1,"id":"e","type":"T","data":1}', 'specversion'],
      [
        'a tenant that is not a string',
        '{"specversion":"1.0","id":"e","type":"T","tenantid":5,"data":1}',
        'tenantid',
      ],
      ['a TOTVS header that is not an object', '{"header":"x","content":{}}', 'header'],
      ['a TOTVS envelope without type', '{"header":{"transactionId":"t"},"content":{}}', 'header.type'],
      ['a TOTVS envelope without id', '{"header":{"type":"T"},"content":{}}', 'header.transactionId'],
      ['a TOTVS envelope without content', '{"header":{"type":"T","transactionId":"t"}}', 'content'],
      [
        'a TOTVS generatedOn that is not a date',
        '{"header":{"type":"T","transactionId":"t","generatedOn":"x"},"content":1}',
        'header.generatedOn',
      ],
    ])('refuses %s, naming the field', (_label, body, field) => {
      const refusal = refusalOf(body);
      expect(refusal.error).toBeInstanceOf(MalformedMessageError);
      expect(refusal.error.code).toBe('MALFORMED_MESSAGE');
      expect(refusal.error.retriable).toBe(false);
      expect((refusal.error as MalformedMessageError).field).toBe(field);
      expect(refusal.error.message).toContain(field);
      expect(refusal.receipt).toBe('r-1');
      expect(refusal.raw).toBe(body);
    });

    it.each([
      ['CloudEvents', '{"specversion":"1.0","id":"e","type":"a/b","data":1}'],
      ['TOTVS', '{"header":{"type":"x,smartlink.outcomes","transactionId":"t"},"content":{}}'],
      ['TOTVS, whatever else is wrong', '{"header":{"type":"../etc/passwd"}}'],
    ])('refuses an illegal %s type as ILLEGAL_COMMAND_NAME: it may never become a topic', (_label, body) => {
      const refusal = refusalOf(body);
      expect(refusal.error).toBeInstanceOf(IllegalCommandNameError);
      expect(refusal.error).toMatchObject({ code: 'ILLEGAL_COMMAND_NAME', retriable: false });
      expect(refusal.raw).toBe(body);
    });

    it.each([
      ['an over-long broker id', 'm'.repeat(129)],
      ['a broker id with spaces', 'a b'],
    ])('refuses %s when it would become the message id', (_label, messageId) => {
      const totvs = '{"header":{"type":"T","transactionId":"t"},"content":{}}';
      const cloudEventsWithoutId = '{"specversion":"1.0","type":"T","data":1}';
      for (const body of [totvs, cloudEventsWithoutId]) {
        const refusal = refusalOf(body, { messageId });
        expect((refusal.error as MalformedMessageError).field).toBe('messageId');
      }
    });

    it('refuses a body with bytes that were not UTF-8, naming the byte', () => {
      // As the HTTP layer decodes it: 0xE9 kept as U+DCE9 (decodeUtf8KeepingInvalidBytes).
      const body = '{"specversion":"1.0","id":"e","type":"T","data":"caf\udce9"}';
      const refusal = refusalOf(body);
      expect((refusal.error as MalformedMessageError).field).toBe('body');
      expect(refusal.error.message).toContain('not valid UTF-8 (byte 0xE9 at character 52)');
    });

    it('refuses a body that is not well-formed Unicode, while an escaped lone surrogate inside the JSON is data', () => {
      const lone = refusalOf('{"specversion":"1.0","id":"e","type":"T","data":"\ud800"}');
      expect(lone.error.message).toContain('not well-formed Unicode (a lone surrogate at character 49)');
      const escaped = '{"specversion":"1.0","id":"e","type":"T","data":"\\ud800"}';
      expect(parseDelivery({ receipt: 'r-1', body: escaped }, options).ok).toBe(true);
    });

    it('keeps the broker id of a refused message for the dead letter', () => {
      expect(refusalOf('nope', { messageId: 'broker-3' }).messageId).toBe('broker-3');
    });
  });

  describe('when the message is larger than the limit', () => {
    it('refuses it with PAYLOAD_TOO_LARGE, counting UTF-8 bytes', () => {
      const data = 'ç'.repeat(2100); // 2,100 characters, 4,200 bytes
      const body = JSON.stringify({ specversion: '1.0', id: 'e', type: 'T', data });
      const refusal = refusalOf(body);
      expect(refusal.error).toBeInstanceOf(PayloadTooLargeError);
      expect(refusal.error.code).toBe('PAYLOAD_TOO_LARGE');
      expect(refusal.error.retriable).toBe(false);
      expect((refusal.error as PayloadTooLargeError).sizeBytes).toBe(Buffer.byteLength(body));
    });

    it('accepts a message of exactly the limit', () => {
      const base = JSON.stringify({ specversion: '1.0', id: 'e', type: 'T', data: '' });
      const body = base.replace('"data":""', `"data":"${'x'.repeat(options.maxPayloadBytes - base.length)}"`);
      expect(Buffer.byteLength(body)).toBe(options.maxPayloadBytes);
      expect(parseDelivery({ receipt: 'r', body }, options).ok).toBe(true);
    });
  });

  it('judges each message of a batch on its own', () => {
    const good = JSON.stringify({ specversion: '1.0', id: 'ok-1', type: 'T', data: {} });
    const results = [good, '{broken', good.replace('ok-1', 'ok-2')].map((body, i) =>
      parseDelivery({ receipt: `r-${i}`, body }, options),
    );
    expect(results.map((r) => (r.ok ? r.message.id : `refused:${r.receipt}`))).toEqual([
      'ok-1',
      'refused:r-1',
      'ok-2',
    ]);
  });
});
