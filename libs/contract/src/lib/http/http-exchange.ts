import type { IncomingHttpHeaders } from 'node:http';
import { SmartLinkError, tlsFailure } from '@smartlink/common';
import { request, type Dispatcher } from 'undici';
import type { SmartLinkEndpoint } from '../errors/smartlink-endpoint';
import { ResponseTooLargeError } from '../errors/response-too-large-error';
import { SmartLinkNetworkError } from '../errors/smartlink-network-error';
import { SmartLinkTimeoutError } from '../errors/smartlink-timeout-error';
import { SmartLinkTlsError } from '../errors/smartlink-tls-error';
import { decodeUtf8KeepingInvalidBytes } from '../text/utf8-escaping';

/** One request to the cloud. Headers may carry the bearer token: they never reach an error or a log. */
export interface HttpExchangeRequest {
  readonly endpoint: SmartLinkEndpoint;
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

/** A response read to the end, whatever its status. */
export interface HttpExchangeResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
}

/** undici's own timeouts (connect, headers, body) all mean the same to a caller: the call took too long. */
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

function errorCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * Sends one HTTP request on undici under a whole-call deadline (connect + headers + body) and reads the body
 * up to a bound. Transport failures become {@link SmartLinkTimeoutError} or {@link SmartLinkNetworkError}, both
 * retriable, or {@link SmartLinkTlsError} when the server's certificate is refused; statuses are left to the caller.
 */
export class HttpExchange {
  constructor(
    private readonly dispatcher: Dispatcher,
    readonly timeoutMs: number,
    private readonly maxResponseBytes: number,
  ) {}

  async send(req: HttpExchangeRequest): Promise<HttpExchangeResponse> {
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(), this.timeoutMs);
    try {
      const response = await request(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        dispatcher: this.dispatcher,
        signal: deadline.signal,
      });
      const text = await this.readBody(req.endpoint, response);
      return { status: response.statusCode, headers: response.headers, text };
    } catch (error) {
      if (error instanceof SmartLinkError) throw error;
      const code = errorCode(error);
      if (deadline.signal.aborted || (code && TIMEOUT_CODES.has(code))) {
        throw new SmartLinkTimeoutError(req.endpoint, this.timeoutMs, { cause: error });
      }
      const tls = tlsFailure(code);
      if (tls) {
        throw new SmartLinkTlsError(
          req.endpoint,
          tls,
          error instanceof Error ? error.message : String(error),
          {
            cause: error,
          },
        );
      }
      const reason = error instanceof Error ? `${code ?? error.name}: ${error.message}` : String(error);
      throw new SmartLinkNetworkError(req.endpoint, reason, { cause: error });
    } finally {
      clearTimeout(timer);
    }
  }

  private async readBody(endpoint: SmartLinkEndpoint, response: Dispatcher.ResponseData): Promise<string> {
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.maxResponseBytes) {
      response.body.destroy();
      throw new ResponseTooLargeError(endpoint, this.maxResponseBytes);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of response.body) {
      const buffer = chunk as Buffer;
      size += buffer.length;
      if (size > this.maxResponseBytes) {
        response.body.destroy();
        throw new ResponseTooLargeError(endpoint, this.maxResponseBytes);
      }
      chunks.push(buffer);
    }
    // Bytes that are not UTF-8 are kept recognisable, so the message that carried them can be refused on its own.
    return decodeUtf8KeepingInvalidBytes(Buffer.concat(chunks, size));
  }
}
