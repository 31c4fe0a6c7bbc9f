import {
  CLIENT_SECRET,
  TENANT,
  expectNoSecrets,
  mockCloud,
  rejection,
  type SeenRequest,
} from '../../../test/mock-cloud';
import { IllegalAudienceError } from '../command/audience-name';
import { IllegalCommandNameError } from '../command/command-name';
import { InvalidRequestError } from '../errors/invalid-request-error';
import { MalformedResponseError } from '../errors/malformed-response-error';
import { PayloadTooLargeError } from '../errors/payload-too-large-error';
import { SendRejectedError } from '../errors/send-rejected-error';
import { SmartLinkNetworkError } from '../errors/smartlink-network-error';
import { SmartLinkRejectedError } from '../errors/smartlink-rejected-error';
import { SmartLinkServerError } from '../errors/smartlink-server-error';
import { SmartLinkThrottledError } from '../errors/smartlink-throttled-error';
import { SmartLinkTimeoutError } from '../errors/smartlink-timeout-error';
import { SmartLinkUnauthorizedError } from '../errors/smartlink-unauthorized-error';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const GET_PATH = '/api/v1/link/get?max=10';
const ce = (id: string) =>
  JSON.stringify({ specversion: '1.0', id, type: 'SGDPDataCommand', data: { n: 1 } });

describe('SmartLinkClient', () => {
  describe('requests', () => {
    it('sets up the subscriptions for the tenant of the token, with the contract headers', async () => {
      const cloud = mockCloud();
      const [token] = await cloud.issueTokens();
      const seen: SeenRequest[] = [];
      cloud.link.intercept({ path: '/api/v1/link/setup', method: 'POST' }).reply((opts) => {
        seen.push(opts);
        return { statusCode: 200, data: '{}' };
      });
      const result = await cloud.client.setup(['SGDPDataCommand', 'PartnerLinkGrr']);
      expect(result).toEqual({ tenantId: TENANT, subscriptions: ['SGDPDataCommand', 'PartnerLinkGrr'] });
      expect(JSON.parse(String(seen[0]?.body))).toEqual({
        subscriptions: ['SGDPDataCommand', 'PartnerLinkGrr'],
        tenants: [TENANT],
      });
      expect(seen[0]?.headers).toMatchObject({
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        'user-agent': 'smartlink-client/0.1.0',
      });
    });

    it('refuses to set up an illegal command before calling the cloud', async () => {
      const cloud = mockCloud();
      await expect(cloud.client.setup(['ok', 'not ok'])).rejects.toBeInstanceOf(IllegalCommandNameError);
      expect(cloud.tokenRequests).toHaveLength(0);
    });

    it('gets a batch, parsing each message on its own', async () => {
      const cloud = mockCloud();
      await cloud.issueTokens();
      cloud.link.intercept({ path: GET_PATH, method: 'GET' }).reply(200, {
        messages: [
          {
            receipt: 'r1',
            messageId: 'm1',
            body: ce('e1'),
            deliveryCount: 1,
            enqueuedAt: '2024-05-01T11:59:00Z',
          },
          { receipt: 'r2', messageId: 'm2', body: '{oops' },
          { receipt: 'r3', body: ce('e3') },
        ],
      });
      const results = await cloud.client.get(10);
      expect(results.map((r) => r.ok)).toEqual([true, false, true]);
      expect(results[0]).toMatchObject({
        ok: true,
        message: { id: 'e1', tenantId: TENANT, receipt: 'r1', deliveryCount: 1 },
      });
      expect(results[1]).toMatchObject({
        ok: false,
        receipt: 'r2',
        messageId: 'm2',
        raw: '{oops',
        error: { code: 'MALFORMED_MESSAGE' },
      });
    });

    it('asks for the configured batch size by default', async () => {
      const cloud = mockCloud({ SMARTLINK_GET_BATCH_SIZE: '7' });
      await cloud.issueTokens();
      cloud.link.intercept({ path: '/api/v1/link/get?max=7', method: 'GET' }).reply(200, { messages: [] });
      await expect(cloud.client.get()).resolves.toEqual([]);
    });

    it('refuses a batch size out of range', async () => {
      const cloud = mockCloud();
      await expect(cloud.client.get(0)).rejects.toBeInstanceOf(InvalidRequestError);
      await expect(cloud.client.get(1001)).rejects.toBeInstanceOf(InvalidRequestError);
    });

    it('acks receipts and reports what the server ignored', async () => {
      const cloud = mockCloud();
      await cloud.issueTokens();
      cloud.link
        .intercept({
          path: '/api/v1/link/ack',
          method: 'POST',
          body: JSON.stringify({ receipts: ['r1', 'r2'] }),
        })
        .reply(200, { acked: 1, ignored: 1 });
      await expect(cloud.client.ack(['r1', 'r2'])).resolves.toEqual({ acked: 1, ignored: 1 });
      await expect(cloud.client.ack([])).rejects.toBeInstanceOf(InvalidRequestError);
    });

    it('sends to send/{type}/{audience} with the body as given', async () => {
      const cloud = mockCloud();
      await cloud.issueTokens();
      const body = '{"header":{"type":"SGDPMaskResponse"},"content":{"a":1}}';
      cloud.link
        .intercept({ path: '/api/v1/link/send/SGDPMaskResponse/SGDP', method: 'POST', body })
        .reply(200, 'true');
      await expect(cloud.client.send('SGDPMaskResponse', 'SGDP', body)).resolves.toBeUndefined();
    });

    it('never lets a type or audience change the path', async () => {
      const cloud = mockCloud();
      await expect(cloud.client.send('a/../../ack', 'SGDP', '{}')).rejects.toBeInstanceOf(
        IllegalCommandNameError,
      );
      await expect(cloud.client.send('T', 'x?y=%2F', '{}')).rejects.toBeInstanceOf(IllegalAudienceError);
      expect(cloud.tokenRequests).toHaveLength(0);
    });

    it('refuses a send body that is not JSON or is too large, before calling the cloud', async () => {
      const cloud = mockCloud({ SMARTLINK_MAX_PAYLOAD_BYTES: '2048' });
      await expect(cloud.client.send('T', 'A', '<xml/>')).rejects.toBeInstanceOf(InvalidRequestError);
      const error = await rejection(cloud.client.send('T', 'A', JSON.stringify({ d: 'x'.repeat(2048) })));
      expect(error).toBeInstanceOf(PayloadTooLargeError);
      expect(error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', retriable: false });
      expect(cloud.tokenRequests).toHaveLength(0);
    });

    it('treats a send answered with the literal false as refused', async () => {
      const cloud = mockCloud();
      await cloud.issueTokens();
      cloud.link.intercept({ path: '/api/v1/link/send/T/A', method: 'POST' }).reply(200, 'false');
      await expect(cloud.client.send('T', 'A', '{}')).rejects.toBeInstanceOf(SendRejectedError);
    });

    it('uses one token for many calls', async () => {
      const cloud = mockCloud();
      await cloud.issueTokens();
      cloud.link.intercept({ path: GET_PATH, method: 'GET' }).reply(200, { messages: [] }).times(5);
      for (let i = 0; i < 5; i++) await cloud.client.get(10);
      expect(cloud.tokenRequests).toHaveLength(1);
    });
  });

  describe('when the link API answers 401', () => {
    it('renews the token and retries once', async () => {
      const cloud = mockCloud();
      const [first, second] = await cloud.issueTokens({ times: 2 });
      cloud.link
        .intercept({ path: GET_PATH, method: 'GET', headers: { authorization: `Bearer ${first}` } })
        .reply(401, { error: 'invalid_token' });
      cloud.link
        .intercept({ path: GET_PATH, method: 'GET', headers: { authorization: `Bearer ${second}` } })
        .reply(200, { messages: [{ receipt: 'r', body: ce('e') }] });
      const results = await cloud.client.get(10);
      expect(results).toHaveLength(1);
      expect(cloud.tokenRequests).toHaveLength(2);
    });

    it('gives up with UNAUTHORIZED when the renewed token is refused too', async () => {
      const cloud = mockCloud();
      const tokens = await cloud.issueTokens({ times: 2 });
      cloud.link.intercept({ path: GET_PATH, method: 'GET' }).reply(401, {}).times(2);
      const error = await rejection(cloud.client.get(10));
      expect(error).toBeInstanceOf(SmartLinkUnauthorizedError);
      expect(error).toMatchObject({ code: 'UNAUTHORIZED', retriable: false, endpoint: 'get' });
      expect(cloud.tokenRequests).toHaveLength(2);
      expectNoSecrets(error, [...tokens, CLIENT_SECRET]);
    });
  });

  describe('when the cloud is unwell', () => {
    it('surfaces 429 as retriable THROTTLED with Retry-After in seconds', async () => {
      const cloud = mockCloud();
      await cloud.issueTokens();
      cloud.link
        .intercept({ path: GET_PATH, method: 'GET' })
        .reply(429, '', { headers: { 'retry-after': '7' } });
      const error = await rejection(cloud.client.get(10));
      expect(error).toBeInstanceOf(SmartLinkThrottledError);
      expect(error).toMatchObject({ code: 'THROTTLED', retriable: true, retryAfterMs: 7000, status: 429 });
    });

    it('reads a Retry-After HTTP date against the clock', async () => {
      const cloud = mockCloud({}, () => NOW);
      await cloud.issueTokens();
      cloud.link
        .intercept({ path: GET_PATH, method: 'GET' })
        .reply(429, '', { headers: { 'retry-after': new Date(NOW + 12_000).toUTCString() } });
      await expect(cloud.client.get(10)).rejects.toMatchObject({ code: 'THROTTLED', retryAfterMs: 12_000 });
    });

    it('surfaces 503 as retriable SERVER_ERROR with its Retry-After', async () => {
      const cloud = mockCloud();
      await cloud.issueTokens();
      cloud.link
        .intercept({ path: '/api/v1/link/ack', method: 'POST' })
        .reply(503, 'busy', { headers: { 'retry-after': '2' } });
      const error = await rejection(cloud.client.ack(['r']));
      expect(error).toBeInstanceOf(SmartLinkServerError);
      expect(error).toMatchObject({ code: 'SERVER_ERROR', retriable: true, status: 503, retryAfterMs: 2000 });
    });

    it('surfaces a 500 without Retry-After as retriable with retryAfterMs null', async () => {
      const cloud = mockCloud();
      await cloud.issueTokens();
      cloud.link.intercept({ path: '/api/v1/link/setup', method: 'POST' }).reply(500, '');
      await expect(cloud.client.setup(['T'])).rejects.toMatchObject({
        code: 'SERVER_ERROR',
        retryAfterMs: null,
      });
    });

    it('surfaces other 4xx as final REJECTED with the status', async () => {
      const cloud = mockCloud();
      await cloud.issueTokens();
      cloud.link.intercept({ path: '/api/v1/link/send/T/A', method: 'POST' }).reply(404, 'no such route');
      const error = await rejection(cloud.client.send('T', 'A', '{}'));
      expect(error).toBeInstanceOf(SmartLinkRejectedError);
      expect(error).toMatchObject({ code: 'REJECTED', retriable: false, status: 404 });
    });

    it('times out a call that takes longer than the timeout', async () => {
      const cloud = mockCloud({ SMARTLINK_HTTP_TIMEOUT_MS: '100' });
      await cloud.issueTokens();
      cloud.link.intercept({ path: GET_PATH, method: 'GET' }).reply(200, { messages: [] }).delay(2000);
      const error = await rejection(cloud.client.get(10));
      expect(error).toBeInstanceOf(SmartLinkTimeoutError);
      expect(error).toMatchObject({ code: 'TIMEOUT', retriable: true, endpoint: 'get', timeoutMs: 100 });
    });

    it('reports a reset connection as retriable NETWORK', async () => {
      const cloud = mockCloud();
      await cloud.issueTokens();
      cloud.link
        .intercept({ path: GET_PATH, method: 'GET' })
        .replyWithError(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
      const error = await rejection(cloud.client.get(10));
      expect(error).toBeInstanceOf(SmartLinkNetworkError);
      expect(error).toMatchObject({ code: 'NETWORK', retriable: true });
      expect(error.message).toContain('ECONNRESET');
    });

    it('reports a token endpoint that is down as a retriable error of the token call', async () => {
      const cloud = mockCloud();
      cloud.rac
        .intercept({ path: '/totvs.rac/connect/token', method: 'POST' })
        .replyWithError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
      await expect(cloud.client.get(10)).rejects.toMatchObject({
        code: 'NETWORK',
        retriable: true,
        endpoint: 'token',
      });
    });
  });

  describe('when a 2xx body is out of contract', () => {
    it.each([
      ['not JSON', '{"messages": [', '(body)'],
      ['no messages', '{}', 'messages'],
      ['a receipt that is not a string', '{"messages":[{"receipt":42,"body":"{}"}]}', 'messages.0.receipt'],
      ['a body that is an object', '{"messages":[{"receipt":"r","body":{"a":1}}]}', 'messages.0.body'],
      [
        'a bad deliveryCount',
        '{"messages":[{"receipt":"r","body":"{}","deliveryCount":0}]}',
        'messages.0.deliveryCount',
      ],
    ])('reports %s as MALFORMED_RESPONSE naming %s', async (_label, body, field) => {
      const cloud = mockCloud();
      const [token] = await cloud.issueTokens();
      cloud.link.intercept({ path: GET_PATH, method: 'GET' }).reply(200, body);
      const error = await rejection(cloud.client.get(10));
      expect(error).toBeInstanceOf(MalformedResponseError);
      expect(error).toMatchObject({ code: 'MALFORMED_RESPONSE', retriable: false, endpoint: 'get', field });
      expect(error.message).toContain(field);
      expectNoSecrets(error, [token ?? '', CLIENT_SECRET]);
    });

    it('reports more messages than asked for', async () => {
      const cloud = mockCloud();
      await cloud.issueTokens();
      cloud.link.intercept({ path: '/api/v1/link/get?max=1', method: 'GET' }).reply(200, {
        messages: [
          { receipt: 'a', body: ce('a') },
          { receipt: 'b', body: ce('b') },
        ],
      });
      await expect(cloud.client.get(1)).rejects.toMatchObject({
        code: 'MALFORMED_RESPONSE',
        field: 'messages',
      });
    });

    it('reports an ack answer of the wrong shape', async () => {
      const cloud = mockCloud();
      await cloud.issueTokens();
      cloud.link.intercept({ path: '/api/v1/link/ack', method: 'POST' }).reply(200, { acked: 'all' });
      await expect(cloud.client.ack(['r'])).rejects.toMatchObject({
        code: 'MALFORMED_RESPONSE',
        field: 'acked',
      });
    });

    it('stops reading a response larger than the bound', async () => {
      const cloud = mockCloud({ SMARTLINK_MAX_RESPONSE_BYTES: String(64 * 1024) });
      await cloud.issueTokens();
      const big = JSON.stringify({ messages: [{ receipt: 'r', body: 'x'.repeat(70 * 1024) }] });
      cloud.link.intercept({ path: GET_PATH, method: 'GET' }).reply(200, big);
      await expect(cloud.client.get(10)).rejects.toMatchObject({
        code: 'RESPONSE_TOO_LARGE',
        retriable: false,
      });
    });
  });

  it('closes without closing a dispatcher it does not own', async () => {
    const cloud = mockCloud();
    await cloud.client.close();
    await cloud.issueTokens();
    cloud.link.intercept({ path: GET_PATH, method: 'GET' }).reply(200, { messages: [] });
    await expect(cloud.client.get(10)).resolves.toEqual([]);
  });
});
