import { SmartLinkError } from '@smartlink/common';
import { parseRetryPolicyDocument, type RetryPolicyDocument } from '../document/retry-policy-document';
import { RetryPolicy, type RandomSource } from '../policy/retry-policy';
import { RetryPolicyUnavailableError } from '../errors/retry-policy-unavailable-error';
import { describeUrl, type PolicyDocumentFetcher } from './policy-document-fetcher';

/** Where the policy in force came from. */
export type RetryPolicyOrigin = 'url' | 'file' | 'defaults';

/** What the loader logs through; Nest's `Logger` fits. */
export interface PolicyLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** What {@link RetryPolicyLoader} works with. */
export interface RetryPolicyLoaderOptions {
  /** `RETRY_POLICY_URL`: read first, then again every `refreshMs` with its ETag. */
  readonly url?: string;
  /** `RETRY_POLICY_FILE`: read when there is no URL or it failed at start-up, and again every `refreshMs`. */
  readonly file?: string;
  readonly refreshMs: number;
  readonly fetcher: PolicyDocumentFetcher;
  /** Reads a file as UTF-8 text (`fs.promises.readFile`); a double in tests. */
  readonly readFile: (path: string) => Promise<string>;
  readonly logger: PolicyLogger;
  /** Jitter's random source; `Math.random` unless a test fixes it. */
  readonly random?: RandomSource;
}

/**
 * Keeps the retry policy in force. Sources in order: the URL (`totvsAppConfig_v2.json` where RM keeps it), else a
 * local file, else the built-in defaults. {@link load} picks the first that gives a valid document; {@link refresh}
 * (every `refreshMs` once {@link start}ed) asks the URL again with If-None-Match — 304 keeps the copy, a new valid
 * document replaces it — or re-reads the file. A document that is not valid is refused with an error log naming the
 * field, and a source that cannot be read with a warning: either way the last good policy stays in force.
 */
export class RetryPolicyLoader {
  private policy: RetryPolicy;
  private origin: RetryPolicyOrigin = 'defaults';
  private etag: string | null = null;
  /** The text of the document in force when it came from the file, to notice a change. */
  private fileText: string | null = null;
  private timer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;

  constructor(private readonly options: RetryPolicyLoaderOptions) {
    this.policy = this.build({});
  }

  /** The policy in force. */
  current(): RetryPolicy {
    return this.policy;
  }

  /** Where the policy in force came from. */
  currentOrigin(): RetryPolicyOrigin {
    return this.origin;
  }

  /** Loads the policy at start-up: the URL, else the file, else the defaults. Never throws. */
  async load(): Promise<void> {
    const { url, file, logger } = this.options;
    if (url !== undefined && (await this.fromUrl(url, null))) return;
    if (file !== undefined && (await this.fromFile(file))) return;
    if (url !== undefined || file !== undefined) {
      logger.warn(
        'Retry policy: no configured source gave a valid document; the built-in defaults are in force',
      );
    } else {
      logger.log(
        'Retry policy: the built-in defaults (set RETRY_POLICY_URL or RETRY_POLICY_FILE to change it)',
      );
    }
  }

  /**
   * Reads the sources again: the URL (conditionally, when the policy in force came from it), else the file. Calls
   * made while one runs share it. Never throws.
   */
  refresh(): Promise<void> {
    this.refreshing ??= this.refreshOnce().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  /** Refreshes every `refreshMs` until {@link stop}. The timer never keeps the process alive. */
  start(): void {
    if (this.timer || (this.options.url === undefined && this.options.file === undefined)) return;
    this.timer = setInterval(() => void this.refresh(), this.options.refreshMs);
    this.timer.unref();
  }

  /** Stops refreshing and waits for a refresh in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.refreshing;
  }

  private async refreshOnce(): Promise<void> {
    const { url, file } = this.options;
    if (url !== undefined) {
      if (await this.fromUrl(url, this.origin === 'url' ? this.etag : null)) return;
      // The URL failed: a policy it gave before stays in force; the file stands in only while the URL never answered.
      if (this.origin === 'url') return;
    }
    if (file !== undefined) await this.fromFile(file);
  }

  /** True when the URL gave the policy in force (new, or unchanged by 304). */
  private async fromUrl(url: string, etag: string | null): Promise<boolean> {
    const where = describeUrl(url);
    try {
      const result = await this.options.fetcher.fetch(url, etag);
      if (result.status === 'not-modified') return true;
      this.adopt(parseRetryPolicyDocument(result.body, where), 'url', where);
      this.etag = result.etag;
      this.fileText = null;
      return true;
    } catch (error) {
      this.report(error);
      return false;
    }
  }

  /** True when the file gave the policy in force (new or unchanged). */
  private async fromFile(path: string): Promise<boolean> {
    try {
      const text = await this.options.readFile(path);
      if (this.origin === 'file' && text === this.fileText) return true;
      this.adopt(parseRetryPolicyDocument(text, path), 'file', path);
      this.fileText = text;
      this.etag = null;
      return true;
    } catch (error) {
      this.report(
        error instanceof SmartLinkError ? error : new RetryPolicyUnavailableError(path, reasonOf(error)),
      );
      return false;
    }
  }

  private adopt(document: RetryPolicyDocument, origin: RetryPolicyOrigin, where: string): void {
    const first = this.origin === 'defaults' && origin !== 'defaults';
    this.policy = this.build(document);
    this.origin = origin;
    const settings = this.policy.settingsFor('');
    this.options.logger.log(
      `Retry policy ${first ? 'loaded' : 'updated'} from ${where}: ${settings.maxAttempts} attempts, ` +
        `${settings.strategy} from ${settings.initialDelayMs} ms (cap ${settings.maxDelayMs} ms, jitter ` +
        `${settings.jitter}), ${Object.keys(document.commands ?? {}).length} command override(s)`,
    );
  }

  private report(error: unknown): void {
    const message = error instanceof Error ? error.message : String(error);
    const kept = `the ${this.origin === 'defaults' ? 'built-in defaults stay' : `policy from the ${this.origin} stays`} in force`;
    // A refused document needs someone to fix it: an error. An unreachable source may come back by itself: a warning.
    if (error instanceof SmartLinkError && !error.retriable) this.options.logger.error(`${message}; ${kept}`);
    else this.options.logger.warn(`${message}; ${kept}`);
  }

  private build(document: RetryPolicyDocument): RetryPolicy {
    return new RetryPolicy(document, this.options.random);
  }
}

/** Why a file could not be read, e.g. `ENOENT: no such file or directory`. */
function reasonOf(error: unknown): string {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : null;
  return code ?? (error instanceof Error ? error.message : String(error));
}
