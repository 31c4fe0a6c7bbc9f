import { readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { SettingsError, pemCertificatesProblem } from '@smartlink/common';
import { Agent, type Dispatcher } from 'undici';
import { RacTokenProvider } from '../auth/rac-token-provider';
import { HttpExchange } from '../http/http-exchange';
import type { SmartLinkSettings } from '../settings/smartlink-settings';
import { SmartLinkClient } from './smartlink-client';

/** Connection pool tuning, in one place. */
export const SmartLinkPoolDefaults = {
  /** Idle keep-alive sockets are closed after this long unless the server says otherwise. */
  keepAliveTimeoutMs: 10_000,
  /** Upper bound on a server's keep-alive hint. */
  keepAliveMaxTimeoutMs: 60_000,
} as const;

/** Test seams of {@link createSmartLinkClient}. */
export interface SmartLinkClientOverrides {
  /** Use this dispatcher (e.g. undici's MockAgent) instead of building a pool; it is not closed by the client. */
  readonly dispatcher?: Dispatcher;
  readonly now?: () => number;
}

function trustedCas(caFile: string | undefined): string[] | undefined {
  if (!caFile) return undefined;
  let text: string;
  try {
    text = readFileSync(caFile, 'utf8');
  } catch (error) {
    throw caFileError(`cannot read the file (${(error as { code?: string }).code ?? 'unreadable'})`);
  }
  const problem = pemCertificatesProblem(text);
  if (problem) throw caFileError(problem);
  // Node replaces its default trust store when `ca` is given, so the extra CA is added to it, not swapped in.
  return [...rootCertificates, text];
}

function caFileError(problem: string): SettingsError {
  return new SettingsError('Smart Link', [
    { key: 'SMARTLINK_TLS_CA_FILE', problem, hint: 'a readable PEM file of CA certificates' },
  ]);
}

function buildPool(settings: SmartLinkSettings): Agent {
  const timeoutMs = settings.SMARTLINK_HTTP_TIMEOUT_MS;
  const ca = trustedCas(settings.SMARTLINK_TLS_CA_FILE);
  return new Agent({
    connect: {
      timeout: timeoutMs,
      rejectUnauthorized: settings.SMARTLINK_TLS_REJECT_UNAUTHORIZED,
      ...(ca ? { ca } : {}),
    },
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: SmartLinkPoolDefaults.keepAliveTimeoutMs,
    keepAliveMaxTimeout: SmartLinkPoolDefaults.keepAliveMaxTimeoutMs,
  });
}

/**
 * Builds the REST {@link SmartLinkClient} from validated settings: a keep-alive undici pool with connect,
 * headers and body timeouts and verified TLS (unless SMARTLINK_TLS_REJECT_UNAUTHORIZED=false), the RAC token
 * provider, and the client itself. Close it with `client.close()`.
 */
export function createSmartLinkClient(
  settings: SmartLinkSettings,
  overrides: SmartLinkClientOverrides = {},
): SmartLinkClient {
  const timeoutMs = settings.SMARTLINK_HTTP_TIMEOUT_MS;
  // A dispatcher passed in belongs to the caller; only a pool built here is closed with the client.
  const ownsPool = overrides.dispatcher === undefined;
  const dispatcher: Dispatcher = overrides.dispatcher ?? buildPool(settings);
  const exchange = new HttpExchange(dispatcher, timeoutMs, settings.SMARTLINK_MAX_RESPONSE_BYTES);
  const now = overrides.now ?? Date.now;
  const tokens = new RacTokenProvider({
    racUrl: settings.SMARTLINK_RAC_URL,
    clientId: settings.SMARTLINK_CLIENT_ID,
    clientSecret: settings.SMARTLINK_CLIENT_SECRET,
    renewMarginS: settings.SMARTLINK_TOKEN_RENEW_MARGIN_S,
    exchange,
    now,
  });
  return new SmartLinkClient({
    apiUrl: settings.SMARTLINK_API_URL,
    tokens,
    exchange,
    getBatchSize: settings.SMARTLINK_GET_BATCH_SIZE,
    maxPayloadBytes: settings.SMARTLINK_MAX_PAYLOAD_BYTES,
    now,
    ...(ownsPool ? { onClose: () => dispatcher.close() } : {}),
  });
}
