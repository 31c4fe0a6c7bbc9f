import { parseAudience } from '../command/audience-name';
import { parseCommandName } from '../command/command-name';
import type { RacTokenProvider } from '../auth/rac-token-provider';
import { InvalidRequestError } from '../errors/invalid-request-error';
import { MalformedResponseError } from '../errors/malformed-response-error';
import { PayloadTooLargeError } from '../errors/payload-too-large-error';
import { SendRejectedError } from '../errors/send-rejected-error';
import type { SmartLinkEndpoint } from '../errors/smartlink-endpoint';
import { SmartLinkUnauthorizedError } from '../errors/smartlink-unauthorized-error';
import { SMARTLINK_USER_AGENT } from '../http/client-version';
import type { HttpExchange, HttpExchangeResponse } from '../http/http-exchange';
import { errorForStatus } from '../http/status-error';
import type { ReceivedMessage } from '../message/cloud-message';
import { parseDelivery } from '../message/cloud-message-parser';
import { AckResponseSchema, MAX_ACK_RECEIPTS, type AckResponse } from '../wire/ack-request';
import { GET_MAX_PARAM, GetResponseSchema, MAX_GET_BATCH } from '../wire/get-response';
import { LinkPaths } from '../wire/link-paths';
import type { SetupResult, SmartLinkTransport } from './smartlink-transport';
import type { z } from 'zod';

/** What {@link SmartLinkClient} needs; {@link createSmartLinkClient} builds it from settings. */
export interface SmartLinkClientOptions {
  /** Link API base, e.g. `https://link.totvs.app/api/v1`. */
  readonly apiUrl: string;
  readonly tokens: RacTokenProvider;
  readonly exchange: HttpExchange;
  readonly getBatchSize: number;
  readonly maxPayloadBytes: number;
  /** Called by {@link SmartLinkClient.close}, e.g. to close the connection pool the client owns. */
  readonly onClose?: () => Promise<void>;
  readonly now?: () => number;
}

/**
 * The Smart Link REST client: setup, get, ack and send on the link API with a cached RAC token.
 *
 * Every call runs under the exchange's timeout. A 401 drops the token, renews it and retries once; a second
 * 401 is {@link SmartLinkUnauthorizedError}. 429 and 5xx are retriable and carry `Retry-After`; other 4xx are
 * final; a 2xx body out of contract is {@link MalformedResponseError} naming the field. Errors never carry the
 * token, the secret or a request body.
 */
export class SmartLinkClient implements SmartLinkTransport {
  private readonly now: () => number;

  constructor(private readonly options: SmartLinkClientOptions) {
    this.now = options.now ?? Date.now;
  }

  tenantId(): Promise<string> {
    return this.options.tokens.tenantId();
  }

  async setup(subscriptions: readonly string[]): Promise<SetupResult> {
    const types = subscriptions.map((type) => parseCommandName(type));
    const tenantId = await this.tenantId();
    // The setup response body is not public ([?] smartlink-domain.md §1.5): any 2xx counts as done.
    await this.call(
      'setup',
      'POST',
      LinkPaths.setup,
      JSON.stringify({ subscriptions: types, tenants: [tenantId] }),
    );
    return { tenantId, subscriptions: types };
  }

  async get(max: number = this.options.getBatchSize): Promise<ReceivedMessage[]> {
    if (!Number.isInteger(max) || max < 1 || max > MAX_GET_BATCH) {
      throw new InvalidRequestError('max', `expected an integer 1-${MAX_GET_BATCH}`);
    }
    const { response, tenantId } = await this.callWithTenant(
      'get',
      'GET',
      `${LinkPaths.get}?${GET_MAX_PARAM}=${max}`,
    );
    const body = this.parseBody('get', response, GetResponseSchema);
    if (body.messages.length > max) {
      throw new MalformedResponseError(
        'get',
        'messages',
        `${body.messages.length} messages, more than the ${max} asked for`,
      );
    }
    const options = { maxPayloadBytes: this.options.maxPayloadBytes, queueTenantId: tenantId };
    return body.messages.map((delivery) => parseDelivery(delivery, options));
  }

  async ack(receipts: readonly string[]): Promise<AckResponse> {
    if (receipts.length === 0 || receipts.length > MAX_ACK_RECEIPTS) {
      throw new InvalidRequestError(
        'receipts',
        `expected 1-${MAX_ACK_RECEIPTS} receipts, got ${receipts.length}`,
      );
    }
    const response = await this.call('ack', 'POST', LinkPaths.ack, JSON.stringify({ receipts }));
    return this.parseBody('ack', response, AckResponseSchema);
  }

  async send(type: string, audience: string, body: string): Promise<void> {
    const path = LinkPaths.send(parseCommandName(type), parseAudience(audience));
    const size = Buffer.byteLength(body, 'utf8');
    if (size > this.options.maxPayloadBytes)
      throw new PayloadTooLargeError(size, this.options.maxPayloadBytes);
    try {
      JSON.parse(body);
    } catch {
      throw new InvalidRequestError('body', 'not JSON');
    }
    const response = await this.call('send', 'POST', path, body);
    // GRR compares the send response with the literal `false` ([C P1]): that is a refusal, anything else is not.
    if (response.text.trim() === 'false') throw new SendRejectedError(type, audience);
  }

  async close(): Promise<void> {
    await this.options.onClose?.();
  }

  private async call(
    endpoint: SmartLinkEndpoint,
    method: 'GET' | 'POST',
    path: string,
    body?: string,
  ): Promise<HttpExchangeResponse> {
    return (await this.callWithTenant(endpoint, method, path, body)).response;
  }

  private async callWithTenant(
    endpoint: SmartLinkEndpoint,
    method: 'GET' | 'POST',
    path: string,
    body?: string,
  ): Promise<{ response: HttpExchangeResponse; tenantId: string }> {
    const { tokens } = this.options;
    let token = await tokens.getToken();
    let response = await this.exchange(endpoint, method, path, token.bearer.reveal(), body);
    if (response.status === 401) {
      // One renewal and one retry: the token may have expired or been revoked server-side. The server refused
      // the request, so repeating even a send cannot duplicate it.
      tokens.invalidate(token);
      token = await tokens.getToken();
      response = await this.exchange(endpoint, method, path, token.bearer.reveal(), body);
      if (response.status === 401) throw new SmartLinkUnauthorizedError(endpoint);
    }
    if (response.status < 200 || response.status >= 300) {
      throw errorForStatus(
        endpoint,
        response.status,
        response.headers['retry-after'],
        this.now(),
        this.options.exchange.timeoutMs,
      );
    }
    return { response, tenantId: token.tenantId };
  }

  private exchange(
    endpoint: SmartLinkEndpoint,
    method: 'GET' | 'POST',
    path: string,
    bearer: string,
    body: string | undefined,
  ): Promise<HttpExchangeResponse> {
    return this.options.exchange.send({
      endpoint,
      method,
      url: `${this.options.apiUrl}${path}`,
      headers: {
        authorization: `Bearer ${bearer}`,
        'content-type': 'application/json',
        accept: 'application/json',
        'user-agent': SMARTLINK_USER_AGENT,
      },
      ...(body === undefined ? {} : { body }),
    });
  }

  private parseBody<T>(endpoint: SmartLinkEndpoint, response: HttpExchangeResponse, schema: z.ZodType<T>): T {
    let json: unknown;
    try {
      json = JSON.parse(response.text);
    } catch {
      throw new MalformedResponseError(endpoint, '(body)', 'not JSON');
    }
    const parsed = schema.safeParse(json);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new MalformedResponseError(
      endpoint,
      issue?.path.map(String).join('.') || '(body)',
      issue?.message ?? 'invalid',
    );
  }
}
