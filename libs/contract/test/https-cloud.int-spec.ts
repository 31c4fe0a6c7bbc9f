import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestCertificates, type TestCertificateFiles } from '@smartlink/testing';
import { createSmartLinkClient } from '../src/lib/client/create-smartlink-client';
import { parseSmartLinkSettings } from '../src/lib/settings/smartlink-settings';
import { CLIENT_SECRET, TENANT, expectNoSecrets, racJwt, rejection } from './mock-cloud';

// Real TLS handshakes between the client's own undici pool and a node:https server presenting certificates made for
// this run. The server's bodies are literal texts as docs/smartlink-rest-contract.md shows them, not the client's.

interface CloudServer {
  readonly origin: string;
  readonly bearerTokens: string[];
  close(): Promise<void>;
}

async function startCloud(cert: string, key: string, token: string): Promise<CloudServer> {
  const bearerTokens: string[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const reply = (status: number, text: string) =>
        res.writeHead(status, { 'content-type': 'application/json' }).end(text);
      if (req.method === 'POST' && req.url === '/totvs.rac/connect/token') {
        // RAC answers invalid_client (HTTP 401) to a wrong secret, as OAuth2 (RFC 6749 §5.2) says.
        if (!body.includes(`client_secret=${encodeURIComponent(CLIENT_SECRET)}`)) {
          return reply(401, '{"error": "invalid_client"}');
        }
        return reply(200, `{"access_token": "${token}", "expires_in": 3600, "token_type": "Bearer"}`);
      }
      bearerTokens.push(req.headers.authorization ?? '');
      if (req.headers.authorization !== `Bearer ${token}`) return reply(401, '');
      if (req.method === 'GET' && req.url === '/api/v1/link/get?max=5') {
        return reply(
          200,
          '{"messages": [{"receipt": "9f2c.17", "messageId": "b0c2-1", "body": ' +
            '"{\\"specversion\\":\\"1.0\\",\\"id\\":\\"b0c2-1\\",\\"type\\":\\"DemoPing\\",\\"data\\":{\\"n\\":1}}", ' +
            '"enqueuedAt": "2024-05-01T12:00:00.000Z", "deliveryCount": 1}]}',
        );
      }
      return reply(404, '');
    });
  };
  const server: Server = createServer({ cert, key }, handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `https://localhost:${port}`,
    bearerTokens,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe('the cloud client over HTTPS', () => {
  let dir: string;
  let certs: TestCertificateFiles;
  let token: string;
  let cloud: CloudServer;
  let expiredCloud: CloudServer;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'https-cloud-'));
    certs = await createTestCertificates(dir);
    token = await racJwt(TENANT);
    cloud = await startCloud(certs.pem.serverCert, certs.pem.serverKey, token);
    expiredCloud = await startCloud(certs.pem.expiredServerCert, certs.pem.serverKey, token);
  });

  afterAll(async () => {
    await Promise.all([cloud?.close(), expiredCloud?.close()]);
    rmSync(dir, { recursive: true, force: true });
  });

  function client(origin: string, env: Record<string, string> = {}) {
    return createSmartLinkClient(
      parseSmartLinkSettings({
        SMARTLINK_RAC_URL: origin,
        SMARTLINK_API_URL: `${origin}/api/v1`,
        SMARTLINK_CLIENT_ID: 'client-1',
        SMARTLINK_CLIENT_SECRET: CLIENT_SECRET,
        SMARTLINK_HTTP_TIMEOUT_MS: '5000',
        ...env,
      }),
    );
  }

  async function failureOf(origin: string, env: Record<string, string>): Promise<Error> {
    const subject = client(origin, env);
    try {
      return await rejection(subject.get(5));
    } finally {
      await subject.close();
    }
  }

  describe('when SMARTLINK_TLS_CA_FILE names the CA that signed the server certificate', () => {
    it('gets a token and messages', async () => {
      const subject = client(cloud.origin, { SMARTLINK_TLS_CA_FILE: certs.caFile });
      try {
        const received = await subject.get(5);
        expect(received).toHaveLength(1);
        expect(received[0]).toMatchObject({
          ok: true,
          message: { receipt: '9f2c.17', id: 'b0c2-1', command: 'DemoPing', data: '{"n":1}' },
        });
        expect(cloud.bearerTokens).toContain(`Bearer ${token}`);
      } finally {
        await subject.close();
      }
    });
  });

  describe('when the server certificate is not trusted', () => {
    it.each([
      ['no CA file', () => ({})],
      ['an unrelated CA', () => ({ SMARTLINK_TLS_CA_FILE: certs.otherCaFile })],
    ])('fails with a clear TLS error (%s)', async (_case, env) => {
      const error = await failureOf(cloud.origin, env());
      expect(error).toMatchObject({ code: 'TLS_FAILED', retriable: false, endpoint: 'token' });
      expect(error.message).toContain('certificate verify failed');
      expect(error.message).toContain('SMARTLINK_TLS_CA_FILE');
      expectNoSecrets(error, [CLIENT_SECRET, token]);
    });
  });

  describe('when the server certificate has expired', () => {
    it('fails with a TLS error that says so', async () => {
      const error = await failureOf(expiredCloud.origin, { SMARTLINK_TLS_CA_FILE: certs.caFile });
      expect(error).toMatchObject({ code: 'TLS_FAILED', retriable: false });
      expect(error.message).toContain("the server's certificate has expired (CERT_HAS_EXPIRED");
      expectNoSecrets(error, [CLIENT_SECRET, token]);
    });
  });

  describe('when the client secret is wrong', () => {
    it('fails with AUTHENTICATION_FAILED and the 401, showing neither secret', async () => {
      const wrongSecret = 'wrong-secret-that-must-not-leak';
      const error = await failureOf(cloud.origin, {
        SMARTLINK_TLS_CA_FILE: certs.caFile,
        SMARTLINK_CLIENT_SECRET: wrongSecret,
      });
      expect(error).toMatchObject({ code: 'AUTHENTICATION_FAILED', retriable: false, status: 401 });
      expect(error.message).toBe('RAC refused the client credentials: HTTP 401 (invalid_client)');
      expectNoSecrets(error, [CLIENT_SECRET, wrongSecret, token]);
    });
  });
});
