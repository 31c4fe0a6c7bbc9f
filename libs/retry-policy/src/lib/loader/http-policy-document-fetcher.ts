import { RetryPolicyUnavailableError } from '../errors/retry-policy-unavailable-error';
import { RETRY_POLICY_LIMITS } from '../policy/retry-policy.defaults';
import { describeUrl, type PolicyDocumentFetcher, type PolicyFetchResult } from './policy-document-fetcher';

/**
 * Fetches the policy over HTTP(S) with Node's global `fetch`. Why not the undici client of libs/contract: this lib is
 * a policy (`type:policy`), which may depend only on util libs, and one GET every few minutes needs none of that
 * client's token cache or connection tuning. Node's `fetch` is undici inside: TLS certificates are verified (unless the
 * operator disables it process-wide), the whole request is bounded by `timeoutMs`, and the body is read up to
 * `maxBytes`, so a hung or hostile server cannot stall or flood the scheduler.
 */
export class HttpPolicyDocumentFetcher implements PolicyDocumentFetcher {
  constructor(
    private readonly timeoutMs: number,
    private readonly maxBytes: number = RETRY_POLICY_LIMITS.maxDocumentBytes,
  ) {}

  async fetch(url: string, etag: string | null): Promise<PolicyFetchResult> {
    const origin = describeUrl(url);
    const signal = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { accept: 'application/json', ...(etag === null ? {} : { 'if-none-match': etag }) },
        signal,
      });
    } catch (error) {
      throw new RetryPolicyUnavailableError(origin, failureOf(error, this.timeoutMs), { cause: error });
    }
    if (response.status === 304) {
      await response.body?.cancel();
      return { status: 'not-modified' };
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new RetryPolicyUnavailableError(origin, `answered HTTP ${response.status}`);
    }
    const body = await this.readBody(response, origin);
    return { status: 'ok', body, etag: response.headers.get('etag') };
  }

  private async readBody(response: Response, origin: string): Promise<string> {
    const declared = Number(response.headers.get('content-length'));
    if (declared > this.maxBytes) {
      await response.body?.cancel();
      throw new RetryPolicyUnavailableError(origin, `the document is larger than ${this.maxBytes} bytes`);
    }
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      if (response.body) {
        for await (const chunk of response.body) {
          size += chunk.byteLength;
          if (size > this.maxBytes) {
            await response.body.cancel().catch(() => undefined);
            throw new RetryPolicyUnavailableError(
              origin,
              `the document is larger than ${this.maxBytes} bytes`,
            );
          }
          chunks.push(chunk);
        }
      }
    } catch (error) {
      if (error instanceof RetryPolicyUnavailableError) throw error;
      throw new RetryPolicyUnavailableError(origin, failureOf(error, this.timeoutMs), { cause: error });
    }
    return Buffer.concat(chunks).toString('utf8');
  }
}

/**
 * Why a request failed, in words. Read by shape, not `instanceof`: fetch's errors may come from another realm (the
 * Node internals under a test runner's sandbox).
 */
function failureOf(error: unknown, timeoutMs: number): string {
  const { name, message, cause } = fieldsOf(error);
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  // undici puts the reason (ECONNREFUSED, a certificate error...) in `cause`, which names a host at most, no query.
  const reason = fieldsOf(cause);
  return reason.message ?? message ?? String(error);
}

function fieldsOf(value: unknown): { name?: string; message?: string; cause?: unknown } {
  if (typeof value !== 'object' || value === null) return {};
  const record = value as Record<string, unknown>;
  return {
    ...(typeof record['name'] === 'string' ? { name: record['name'] } : {}),
    ...(typeof record['message'] === 'string' ? { message: record['message'] } : {}),
    cause: record['cause'],
  };
}
