/** What a conditional GET of the policy URL answered. */
export type PolicyFetchResult =
  | { readonly status: 'not-modified' }
  | { readonly status: 'ok'; readonly body: string; readonly etag: string | null };

/**
 * Fetches the policy document from its URL, conditionally on the ETag of the last copy (If-None-Match). Throws
 * `RetryPolicyUnavailableError` when there is no usable answer (network, timeout, another status, too big).
 */
export interface PolicyDocumentFetcher {
  fetch(url: string, etag: string | null): Promise<PolicyFetchResult>;
}

/** A URL as it may appear in logs and errors: scheme, host, port and path, never credentials or the query. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    // A signed URL (e.g. a Google Cloud Storage signature) carries its secret in the query.
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(an invalid URL)';
  }
}
