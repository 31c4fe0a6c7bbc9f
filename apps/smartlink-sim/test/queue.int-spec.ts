import { isUtf8 } from 'node:buffer';
import {
  MalformedMessageError,
  PayloadTooLargeError,
  type CloudMessage,
  type ReceivedMessage,
} from '@smartlink/contract';
import { waitFor } from '@smartlink/testing';
import { CLIENT_ID, CLIENT_SECRET, SimHarness, TENANT } from './sim-harness';

function messages(results: ReceivedMessage[]): CloudMessage[] {
  return results.map((r) => {
    if (!r.ok) throw new Error(`unexpected refusal: ${r.error.message}`);
    return r.message;
  });
}

describe('setup, get, ack and send against the simulator', () => {
  let sim: SimHarness;

  beforeAll(async () => {
    sim = await SimHarness.start({ SIM_VISIBILITY_TIMEOUT_MS: '60000' });
  });
  afterAll(() => sim.stop());
  beforeEach(() => sim.reset());

  it('delivers both envelope styles mapped to one model, and removes them on ack', async () => {
    const client = sim.client();
    await expect(client.setup(['HrEmployeeUpdated', 'FinTitlePaid'])).resolves.toEqual({
      tenantId: TENANT,
      subscriptions: ['HrEmployeeUpdated', 'FinTitlePaid'],
    });
    const [ce, totvs] = await sim.enqueue([
      {
        style: 'cloudevents',
        type: 'HrEmployeeUpdated',
        id: 'evt-1',
        data: { employee: 42 },
        correlationId: 'corr-1',
        source: 'rh',
      },
      { style: 'totvs', type: 'FinTitlePaid', content: { title: 'T-9' }, transactionId: 'tx-9' },
    ]);
    const received = messages(await client.get(10));
    expect(received).toEqual([
      expect.objectContaining({
        id: 'evt-1',
        command: 'HrEmployeeUpdated',
        tenantId: TENANT,
        correlatedId: 'corr-1',
        data: '{"employee":42}',
        source: 'rh',
        envelope: 'cloudevents',
        deliveryCount: 1,
      }),
      expect.objectContaining({
        id: totvs?.messageId,
        command: 'FinTitlePaid',
        tenantId: TENANT,
        correlatedId: null,
        data: '{"title":"T-9"}',
        envelope: 'totvs',
      }),
    ]);
    expect(ce?.id).toBe('evt-1');

    await expect(client.ack(received.map((m) => m.receipt))).resolves.toEqual({ acked: 2, ignored: 0 });
    await expect(client.get(10)).resolves.toEqual([]);
    expect((await sim.stats()).tenants[TENANT]).toMatchObject({ ready: 0, inFlight: 0, acked: 2 });
    const acked = await sim.admin<{ entries: { messageId: string }[] }>(
      'GET',
      `/admin/tenants/${TENANT}/acked`,
    );
    expect(acked.entries.map((e) => e.messageId)).toEqual([ce?.messageId, totvs?.messageId]);
  });

  it('routes only subscribed types, losing the rest as the cloud does', async () => {
    const client = sim.client();
    const early = await sim.enqueue([{ style: 'cloudevents', type: 'HrEmployeeUpdated', data: 1 }]);
    await client.setup(['HrEmployeeUpdated']);
    const late = await sim.enqueue([
      { style: 'cloudevents', type: 'HrEmployeeUpdated', data: 2 },
      { style: 'cloudevents', type: 'NotSubscribed', data: 3 },
    ]);
    expect([...early, ...late].map((m) => m.status)).toEqual(['unrouted', 'queued', 'unrouted']);
    expect(messages(await client.get(10)).map((m) => m.id)).toEqual([late[0]?.id]);
  });

  it('hands an un-acked message out again after the visibility timeout, with a new receipt', async () => {
    await sim.admin('PUT', '/admin/config', { visibilityTimeoutMs: 300 });
    const client = sim.client();
    await client.setup(['HrEmployeeUpdated']);
    const [published] = await sim.enqueue([{ style: 'cloudevents', type: 'HrEmployeeUpdated', data: {} }]);
    const [first] = messages(await client.get(10));
    await expect(client.get(10)).resolves.toEqual([]);

    const [again] = await waitFor(
      async () => {
        const results = messages(await client.get(10));
        return results.length > 0 ? results : null;
      },
      { description: 'the un-acked message to come back', timeoutMs: 10_000 },
    );
    expect(again).toMatchObject({ id: published?.id, deliveryCount: 2 });
    expect(again?.receipt).not.toBe(first?.receipt);
    await expect(client.ack([first?.receipt ?? ''])).resolves.toEqual({ acked: 0, ignored: 1 });
    await expect(client.ack([again?.receipt ?? ''])).resolves.toEqual({ acked: 1, ignored: 0 });
    expect((await sim.stats()).tenants[TENANT]).toMatchObject({
      redelivered: 1,
      acked: 1,
      ready: 0,
      inFlight: 0,
    });
  });

  it('delivers bytes that are not UTF-8 as such, and the client refuses only the message that held them', async () => {
    const client = sim.client();
    const base64 = (bytes: Buffer) => bytes.toString('base64');
    // 0xE9 alone ("é" in Latin-1) is not UTF-8; "é" as UTF-8 (C3 A9) and U+FFFD (EF BF BD) are.
    const latin1 = Buffer.from(
      '{"specversion":"1.0","id":"latin1","type":"HrEmployeeUpdated","data":"caf\u00e9"}',
      'latin1',
    );
    const utf8 = Buffer.from(
      '{"specversion":"1.0","id":"fine","type":"HrEmployeeUpdated","data":"café \ufffd"}',
      'utf8',
    );
    const batch = [
      { style: 'cloudevents', type: 'HrEmployeeUpdated', id: 'before', data: { n: 1 } },
      { rawBase64: base64(latin1) },
      { rawBase64: base64(utf8) },
      { style: 'cloudevents', type: 'HrEmployeeUpdated', id: 'after', data: { n: 2 } },
    ];
    await sim.enqueue([...batch, ...batch], true);

    // The wire really carries the lone byte: the first four deliveries, read raw, are not valid UTF-8.
    const tokenResponse = await fetch(`${sim.url}/totvs.rac/connect/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        grant_type: 'client_credentials',
        scope: 'authorization_api',
      }).toString(),
    });
    const token = ((await tokenResponse.json()) as { access_token: string }).access_token;
    const wire = Buffer.from(
      await (
        await fetch(`${sim.url}/api/v1/link/get?max=4`, { headers: { authorization: `Bearer ${token}` } })
      ).arrayBuffer(),
    );
    expect(isUtf8(wire)).toBe(false);
    // Inside the response's body strings, whose quotes are escaped.
    expect(wire.includes(Buffer.from('caf\u00e9\\"', 'latin1'))).toBe(true);
    expect(wire.includes(Buffer.from('café \ufffd\\"', 'utf8'))).toBe(true);

    // The contract client, given the other four: the good ones parse, the Latin-1 one is refused by name.
    const results = await client.get(10);
    expect(results.map((r) => (r.ok ? r.message.id : `refused ${r.error.message}`))).toEqual([
      'before',
      expect.stringMatching(/^refused .*body.*not valid UTF-8 \(byte 0xE9 at character \d+\)/),
      'fine',
      'after',
    ]);
    expect(results[2]?.ok && results[2].message.data).toBe('café \ufffd');
  });

  it('reports broken and oversize messages one by one while the good ones parse', async () => {
    const client = sim.client({ SMARTLINK_MAX_PAYLOAD_BYTES: String(64 * 1024) });
    const published = await sim.enqueue(
      [
        { style: 'cloudevents', type: 'HrEmployeeUpdated', data: { n: 1 } },
        { raw: '{"header": {"type": "Fin' },
        { raw: JSON.stringify({ specversion: '1.0', id: 'e-bad', type: 'has space', data: 1 }) },
        { style: 'totvs', type: 'FinTitlePaid', content: { big: 'x'.repeat(100 * 1024) } },
        { raw: JSON.stringify({ specversion: '1.0', type: 'NoId', tenantId: 'other-tenant', data: 1 }) },
        { style: 'totvs', type: 'FinTitlePaid', content: { n: 2 } },
      ],
      true,
    );
    const results = await client.get(10);
    expect(
      results.map((r) =>
        r.ok ? 'ok' : `${r.error.code}:${r.error instanceof MalformedMessageError ? r.error.field : ''}`,
      ),
    ).toEqual(['ok', 'MALFORMED_MESSAGE:body', 'ILLEGAL_COMMAND_NAME:', 'PAYLOAD_TOO_LARGE:', 'ok', 'ok']);
    const refused = results[3];
    expect(refused?.ok === false && refused.error).toBeInstanceOf(PayloadTooLargeError);
    expect(refused?.ok === false && refused.messageId).toBe(published[3]?.messageId);
    // CloudEvents without an id falls back to the broker id; an envelope tenant wins over the queue's.
    expect(results[4]).toMatchObject({
      ok: true,
      message: { id: published[4]?.messageId, tenantId: 'other-tenant' },
    });
    // Refused messages are acked like any other once the caller has dead-lettered them.
    await expect(client.ack(results.map((r) => (r.ok ? r.message.receipt : r.receipt)))).resolves.toEqual({
      acked: 6,
      ignored: 0,
    });
  });

  it('records sends with type, audience, body, its TOTVS envelope and headers, the token redacted', async () => {
    const client = sim.client();
    await client.setup([]);
    // The body GRR sends (P1 GRRSyncbySL), as text: header tenantId, type, transactionId; content.
    const body =
      `{"header":{"tenantId":"${TENANT}","type":"SGDPMaskResponse",` +
      '"transactionId":"0f8d4c2e-51a7-4b8e-9d1c-7a3e2b6f4c10"},"content":{"masked":true}}';
    await client.send('SGDPMaskResponse', 'SGDP', body);
    const sent = await sim.admin<{ total: number; entries: Record<string, unknown>[] }>(
      'GET',
      `/admin/sent?tenantId=${TENANT}`,
    );
    expect(sent.total).toBe(1);
    expect(sent.entries[0]).toMatchObject({
      tenantId: TENANT,
      type: 'SGDPMaskResponse',
      audience: 'SGDP',
      bodyText: body,
      body: JSON.parse(body),
      envelope: {
        style: 'totvs',
        id: '0f8d4c2e-51a7-4b8e-9d1c-7a3e2b6f4c10',
        type: 'SGDPMaskResponse',
        tenantId: TENANT,
        correlationId: null,
        time: null,
        problems: [],
      },
      queueSetUp: true,
      headers: expect.objectContaining({
        authorization: 'Bearer [redacted]',
        'content-type': 'application/json',
        'user-agent': 'smartlink-client/0.1.0',
      }),
    });
  });

  it('accepts a send before setup but marks it lost, as the cloud does', async () => {
    await sim.client().send('T', 'LinkProxy', '{}');
    const sent = await sim.admin<{ entries: { queueSetUp: boolean; envelope: unknown }[] }>('GET', '/admin/sent');
    expect(sent.entries.map((e) => e.queueSetUp)).toEqual([false]);
    expect(sent.entries[0]?.envelope).toBeNull();
  });

  it('drains 50,000 queued 1 KB messages in batches without loss or duplicates', async () => {
    await sim.admin('POST', `/admin/tenants/${TENANT}/messages/generate`, {
      count: 50_000,
      type: 'BulkLoad',
      payloadBytes: 1024,
      direct: true,
    });
    const client = sim.client();
    const ids = new Set<string>();
    for (let batch = await client.get(1000); batch.length > 0; batch = await client.get(1000)) {
      const parsed = messages(batch);
      parsed.forEach((m) => ids.add(m.id));
      await client.ack(parsed.map((m) => m.receipt));
    }
    expect(ids.size).toBe(50_000);
    expect((await sim.stats()).tenants[TENANT]).toMatchObject({
      ready: 0,
      inFlight: 0,
      acked: 50_000,
      redelivered: 0,
    });
  });
});
