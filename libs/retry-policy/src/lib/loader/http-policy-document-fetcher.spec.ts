import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { RetryPolicyUnavailableError } from '../errors/retry-policy-unavailable-error';
import { HttpPolicyDocumentFetcher } from './http-policy-document-fetcher';

// A real HTTP exchange on the loopback interface, inside this process: the fetcher's headers, statuses and limits.

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

describe('HttpPolicyDocumentFetcher', () => {
  let server: Server;
  let url: string;
  let handler: Handler;
  const requests: IncomingMessage[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests.push(request);
      handler(request, response);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/cfg/totvsAppConfig_v2.json?sig=s3cr3t`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => {
    requests.length = 0;
  });

  const failure = async (promise: Promise<unknown>): Promise<RetryPolicyUnavailableError> => {
    const error = await promise.then(
      () => new Error('expected a failure'),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RetryPolicyUnavailableError);
    return error as RetryPolicyUnavailableError;
  };

  it('gets the document and its ETag', async () => {
    handler = (_, response) => {
      response.writeHead(200, { 'content-type': 'application/json', etag: '"abc"' });
      response.end('{"retry":{"maxAttempts":3}}');
    };
    const result = await new HttpPolicyDocumentFetcher(2_000).fetch(url, null);
    expect(result).toEqual({ status: 'ok', body: '{"retry":{"maxAttempts":3}}', etag: '"abc"' });
    expect(requests[0]?.headers['if-none-match']).toBeUndefined();
  });

  it('asks conditionally with the last ETag, and reports 304 as not modified', async () => {
    handler = (request, response) => {
      response.writeHead(request.headers['if-none-match'] === '"abc"' ? 304 : 200, { etag: '"abc"' });
      response.end();
    };
    expect(await new HttpPolicyDocumentFetcher(2_000).fetch(url, '"abc"')).toEqual({
      status: 'not-modified',
    });
    expect(requests[0]?.headers['if-none-match']).toBe('"abc"');
  });

  it('fails on any other status, naming the URL without its query', async () => {
    handler = (_, response) => {
      response.writeHead(503);
      response.end('busy');
    };
    const error = await failure(new HttpPolicyDocumentFetcher(2_000).fetch(url, null));
    expect(error.message).toMatch(
      /^The retry policy could not be read from http:\/\/127\.0\.0\.1:\d+\/cfg\/totvsAppConfig_v2\.json: answered HTTP 503$/,
    );
    expect(error.retriable).toBe(true);
  });

  it('gives up when the server does not answer in time', async () => {
    handler = () => undefined; // never answers
    const error = await failure(new HttpPolicyDocumentFetcher(200).fetch(url, null));
    expect(error.message).toMatch(/no answer within 200 ms$/);
  });

  it('refuses a document larger than the limit, declared or streamed', async () => {
    handler = (_, response) => {
      response.writeHead(200, { 'content-length': '5000' });
      response.end('x'.repeat(5000));
    };
    expect((await failure(new HttpPolicyDocumentFetcher(2_000, 1_000).fetch(url, null))).message).toMatch(
      /larger than 1000 bytes$/,
    );
    handler = (_, response) => {
      response.writeHead(200, { 'transfer-encoding': 'chunked' });
      response.write('x'.repeat(800));
      response.end('x'.repeat(800));
    };
    expect((await failure(new HttpPolicyDocumentFetcher(2_000, 1_000).fetch(url, null))).message).toMatch(
      /larger than 1000 bytes$/,
    );
  });

  it('fails when nothing listens, saying why', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const error = await failure(
      new HttpPolicyDocumentFetcher(2_000).fetch(`http://127.0.0.1:${port}/x`, null),
    );
    expect(error.message).toMatch(/ECONNREFUSED/);
  });
});
