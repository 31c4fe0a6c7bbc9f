import { RetryPolicyUnavailableError } from '../errors/retry-policy-unavailable-error';
import type { PolicyDocumentFetcher, PolicyFetchResult } from './policy-document-fetcher';
import { RetryPolicyLoader, type PolicyLogger } from './retry-policy-loader';

const URL_WITH_SECRET = 'https://storage.example.com/cfg/totvsAppConfig_v2.json?X-Goog-Signature=s3cr3t';
const FILE = '/etc/smartlink/totvsAppConfig_v2.json';
const doc = (maxAttempts: number) => JSON.stringify({ retry: { maxAttempts } });

/** A fetcher double: answers from a queue and records what it was asked. */
class FakeFetcher implements PolicyDocumentFetcher {
  readonly requests: { url: string; etag: string | null }[] = [];
  readonly answers: (PolicyFetchResult | Error)[] = [];

  async fetch(url: string, etag: string | null): Promise<PolicyFetchResult> {
    this.requests.push({ url, etag });
    const answer = this.answers.shift();
    if (answer === undefined) throw new Error('no answer queued');
    if (answer instanceof Error) throw answer;
    return answer;
  }
}

class RecordingLogger implements PolicyLogger {
  readonly lines: string[] = [];
  log(message: string) {
    this.lines.push(`log ${message}`);
  }
  warn(message: string) {
    this.lines.push(`warn ${message}`);
  }
  error(message: string) {
    this.lines.push(`error ${message}`);
  }
}

const down = () => new RetryPolicyUnavailableError('https://storage.example.com/cfg', 'answered HTTP 503');

describe('RetryPolicyLoader', () => {
  let fetcher: FakeFetcher;
  let logger: RecordingLogger;
  let files: Map<string, string>;
  const loader = (sources: { url?: string; file?: string }) =>
    new RetryPolicyLoader({
      ...sources,
      refreshMs: 60_000,
      fetcher,
      logger,
      readFile: async (path) => {
        const text = files.get(path);
        if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
        return text;
      },
    });
  const maxAttempts = (l: RetryPolicyLoader) => l.current().settingsFor('Any').maxAttempts;

  beforeEach(() => {
    fetcher = new FakeFetcher();
    logger = new RecordingLogger();
    files = new Map();
  });

  describe('from a URL', () => {
    it('loads the document and keeps its ETag for the next request', async () => {
      fetcher.answers.push({ status: 'ok', body: doc(7), etag: '"v1"' });
      const l = loader({ url: URL_WITH_SECRET });
      await l.load();

      expect(maxAttempts(l)).toBe(7);
      expect(l.currentOrigin()).toBe('url');
      expect(fetcher.requests).toEqual([{ url: URL_WITH_SECRET, etag: null }]);

      fetcher.answers.push({ status: 'not-modified' });
      await l.refresh();
      expect(fetcher.requests[1]).toEqual({ url: URL_WITH_SECRET, etag: '"v1"' });
      expect(maxAttempts(l)).toBe(7);
    });

    it('takes a changed document on refresh, with its new ETag', async () => {
      fetcher.answers.push(
        { status: 'ok', body: doc(7), etag: '"v1"' },
        { status: 'ok', body: doc(9), etag: '"v2"' },
      );
      const l = loader({ url: URL_WITH_SECRET });
      await l.load();
      await l.refresh();
      expect(maxAttempts(l)).toBe(9);

      fetcher.answers.push({ status: 'not-modified' });
      await l.refresh();
      expect(fetcher.requests[2]?.etag).toBe('"v2"');
      expect(logger.lines).toContainEqual(
        expect.stringMatching(/^log Retry policy updated from https:\/\/storage/),
      );
    });

    it('refuses an invalid document with an error log and keeps the last good policy', async () => {
      fetcher.answers.push(
        { status: 'ok', body: doc(7), etag: '"v1"' },
        { status: 'ok', body: JSON.stringify({ retry: { maxAttempts: -1 } }), etag: '"v2"' },
      );
      const l = loader({ url: URL_WITH_SECRET });
      await l.load();
      await l.refresh();

      expect(maxAttempts(l)).toBe(7);
      expect(logger.lines).toContainEqual(
        expect.stringMatching(
          /^error The retry policy from https:\/\/storage\.example\.com\/cfg\/totvsAppConfig_v2\.json is refused: retry\.maxAttempts: .*; the policy from the url stays in force$/,
        ),
      );
      // The refused document's ETag is not kept: the next request asks for a full copy again.
      fetcher.answers.push({ status: 'ok', body: doc(8), etag: '"v3"' });
      await l.refresh();
      expect(fetcher.requests[2]?.etag).toBe('"v1"');
      expect(maxAttempts(l)).toBe(8);
    });

    it('keeps the last good policy while the URL is down, with a warning', async () => {
      fetcher.answers.push({ status: 'ok', body: doc(7), etag: null }, down());
      const l = loader({ url: URL_WITH_SECRET, file: FILE });
      files.set(FILE, doc(2));
      await l.load();
      await l.refresh();

      expect(maxAttempts(l)).toBe(7);
      expect(l.currentOrigin()).toBe('url');
      expect(logger.lines.at(-1)).toMatch(
        /^warn .*answered HTTP 503; the policy from the url stays in force$/,
      );
    });

    it('never logs the query of a signed URL', async () => {
      fetcher.answers.push(
        { status: 'ok', body: 'not json', etag: null },
        { status: 'ok', body: doc(2), etag: null },
      );
      const l = loader({ url: URL_WITH_SECRET });
      await l.load();
      await l.refresh();
      expect(logger.lines).toHaveLength(3);
      expect(logger.lines.join('\n')).toContain('https://storage.example.com/cfg/totvsAppConfig_v2.json');
      expect(logger.lines.join('\n')).not.toContain('s3cr3t');
    });
  });

  describe('falling back', () => {
    it('uses the file when the URL does not answer at start-up, and switches to the URL once it does', async () => {
      files.set(FILE, doc(3));
      fetcher.answers.push(down());
      const l = loader({ url: URL_WITH_SECRET, file: FILE });
      await l.load();
      expect([l.currentOrigin(), maxAttempts(l)]).toEqual(['file', 3]);

      fetcher.answers.push({ status: 'ok', body: doc(6), etag: '"v1"' });
      await l.refresh();
      expect([l.currentOrigin(), maxAttempts(l)]).toEqual(['url', 6]);
    });

    it('reads the file alone when there is no URL, and picks up a change on refresh', async () => {
      files.set(FILE, doc(3));
      const l = loader({ file: FILE });
      await l.load();
      expect([l.currentOrigin(), maxAttempts(l)]).toEqual(['file', 3]);

      files.set(FILE, doc(4));
      await l.refresh();
      expect(maxAttempts(l)).toBe(4);

      files.set(FILE, '{ broken');
      await l.refresh();
      expect(maxAttempts(l)).toBe(4);
      expect(logger.lines.at(-1)).toMatch(
        /^error .*is refused: it is not JSON; the policy from the file stays in force$/,
      );
    });

    it('runs on the built-in defaults when no source is configured', async () => {
      const l = loader({});
      await l.load();
      expect([l.currentOrigin(), maxAttempts(l)]).toEqual(['defaults', 5]);
      expect(logger.lines).toEqual([
        'log Retry policy: the built-in defaults (set RETRY_POLICY_URL or RETRY_POLICY_FILE to change it)',
      ]);
    });

    it('runs on the defaults, with warnings, when every configured source fails, and keeps trying them', async () => {
      fetcher.answers.push(down());
      const l = loader({ url: URL_WITH_SECRET, file: FILE });
      await l.load();
      expect([l.currentOrigin(), maxAttempts(l)]).toEqual(['defaults', 5]);
      expect(logger.lines.filter((line) => line.startsWith('warn'))).toHaveLength(3);
      expect(logger.lines[1]).toMatch(
        /could not be read from \/etc\/smartlink\/totvsAppConfig_v2\.json: ENOENT/,
      );

      fetcher.answers.push(down());
      files.set(FILE, doc(2));
      await l.refresh();
      expect([l.currentOrigin(), maxAttempts(l)]).toEqual(['file', 2]);
    });

    it('refuses an invalid file at start-up and falls back to the defaults', async () => {
      files.set(FILE, JSON.stringify({ retry: { strategy: 'random' } }));
      const l = loader({ file: FILE });
      await l.load();
      expect(l.currentOrigin()).toBe('defaults');
      expect(logger.lines[0]).toMatch(/^error .*retry\.strategy/);
    });
  });

  it('shares one refresh between concurrent callers', async () => {
    fetcher.answers.push({ status: 'ok', body: doc(7), etag: null }, { status: 'not-modified' });
    const l = loader({ url: URL_WITH_SECRET });
    await l.load();
    await Promise.all([l.refresh(), l.refresh(), l.refresh()]);
    expect(fetcher.requests).toHaveLength(2);
  });

  it('refreshes on its timer once started, until stopped', async () => {
    jest.useFakeTimers();
    try {
      files.set(FILE, doc(3));
      const l = loader({ file: FILE });
      await l.load();
      l.start();
      files.set(FILE, doc(4));
      await jest.advanceTimersByTimeAsync(60_000);
      expect(maxAttempts(l)).toBe(4);

      await l.stop();
      files.set(FILE, doc(5));
      await jest.advanceTimersByTimeAsync(120_000);
      expect(maxAttempts(l)).toBe(4);
    } finally {
      jest.useRealTimers();
    }
  });
});
