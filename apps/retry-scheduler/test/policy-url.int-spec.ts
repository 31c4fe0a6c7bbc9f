import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { waitFor } from '@smartlink/testing';
import { SchedulerHarness, TEST_DATABASES, type TestDatabase } from './support/scheduler-harness';

interface Stats {
  counters: Record<string, number>;
  policy: { origin: string; retry: { maxAttempts: number }; commands: string[] };
}

/** The cloud's copy of totvsAppConfig_v2.json: answers with an ETag and 304 to a matching If-None-Match. */
class PolicyServer {
  body = JSON.stringify({ retry: { maxAttempts: 7 } });
  etag = '"v1"';
  down = false;
  readonly conditional: string[] = [];
  /** Every answer: `200 "v1"`, `304`, `503`. */
  readonly answers: string[] = [];
  private server: Server | null = null;

  async start(): Promise<string> {
    this.server = createServer((request, response) => {
      if (this.down) {
        this.answers.push('503');
        response.writeHead(503).end();
        return;
      }
      const ifNoneMatch = request.headers['if-none-match'];
      if (typeof ifNoneMatch === 'string') this.conditional.push(ifNoneMatch);
      if (ifNoneMatch === this.etag) {
        this.answers.push('304');
        response.writeHead(304, { etag: this.etag }).end();
        return;
      }
      this.answers.push(`200 ${this.etag}`);
      response.writeHead(200, { 'content-type': 'application/json', etag: this.etag }).end(this.body);
    });
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/config/totvsAppConfig_v2.json?sig=secret`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

// The policy loaded from a URL at boot and refreshed while the scheduler runs; the database plays no part, so SQLite.
describe('the retry policy from a URL', () => {
  const sqlite = TEST_DATABASES[1];
  let database: TestDatabase;
  let policyServer: PolicyServer;
  let scheduler: SchedulerHarness;

  beforeAll(async () => {
    database = await sqlite.create();
    policyServer = new PolicyServer();
    const url = await policyServer.start();
    scheduler = await SchedulerHarness.start(database.settings, {
      env: { RETRY_POLICY_URL: url, RETRY_POLICY_REFRESH_MS: '1000' },
    });
  });

  afterAll(async () => {
    await scheduler?.stop();
    await policyServer?.stop();
    await database?.dispose();
  });

  const stats = async (): Promise<Stats> => (await fetch(`${scheduler.url}/stats`)).json() as Promise<Stats>;

  it('loads the URL before the file at boot, then refreshes with the ETag', async () => {
    expect((await stats()).policy).toMatchObject({ origin: 'url', retry: { maxAttempts: 7 } });
    await waitFor(() => policyServer.conditional.includes('"v1"'), { description: 'a conditional refresh' });
  });

  it('takes a changed document, keeps the last good one when the next is invalid or the URL is down', async () => {
    policyServer.body = JSON.stringify({
      retry: { maxAttempts: 9 },
      commands: { DemoPing: { maxAttempts: 1 } },
    });
    policyServer.etag = '"v2"';
    await waitFor(async () => (await stats()).policy.retry.maxAttempts === 9, {
      description: 'the new policy',
    });
    expect((await stats()).policy.commands).toEqual(['DemoPing']);

    policyServer.body = JSON.stringify({ retry: { maxAttempts: 'many' } });
    policyServer.etag = '"v3"';
    await waitFor(() => policyServer.answers.includes('200 "v3"'), {
      description: 'the invalid document served',
    });
    expect((await stats()).policy).toMatchObject({ origin: 'url', retry: { maxAttempts: 9 } });

    policyServer.down = true;
    await waitFor(() => policyServer.answers.filter((a) => a === '503').length >= 2, {
      description: 'two refreshes while the URL is down',
    });
    expect((await stats()).policy).toMatchObject({ origin: 'url', retry: { maxAttempts: 9 } });
  });
});
