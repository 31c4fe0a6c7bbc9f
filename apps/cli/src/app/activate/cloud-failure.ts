import { SmartLinkError } from '@smartlink/common';
import { AuthenticationFailedError } from '@smartlink/contract';
import { CliExitCode } from '../cli-exit-code';

/** Where the activation talked to, for the messages. */
export interface CloudEndpoints {
  readonly racUrl: string;
  readonly apiUrl: string;
  readonly clientId: string;
}

/** An operator's reading of a failed cloud call: what happened, what to do, and the exit code. */
export interface CloudFailure {
  readonly exitCode: CliExitCode;
  readonly message: string;
}

/**
 * Explains a failed token or setup call, deciding from the error's `code` and `retriable` verdict, never its text.
 * Refused credentials exit 3, anything worth retrying (network, timeout, 5xx, 429) exits 4, the rest 1. The client
 * lib's errors never carry the secret, the token or a request body, so their messages are safe to show.
 */
export function explainCloudFailure(error: unknown, where: CloudEndpoints): CloudFailure {
  if (!(error instanceof SmartLinkError)) {
    return { exitCode: CliExitCode.Failed, message: `Activation failed: ${messageOf(error)}` };
  }
  const endpoint = (error as { endpoint?: unknown }).endpoint;
  const atRac = error instanceof AuthenticationFailedError || endpoint === 'token';
  const server = atRac ? `RAC at ${where.racUrl}` : `the link API at ${where.apiUrl}`;
  if (error.code === 'AUTHENTICATION_FAILED') {
    const oauth =
      error instanceof AuthenticationFailedError && error.oauthError ? ` (${error.oauthError})` : '';
    return {
      exitCode: CliExitCode.BadCredentials,
      message:
        `RAC at ${where.racUrl} refused the credentials of client ${JSON.stringify(where.clientId)}${oauth}. ` +
        'Check the clientId and clientSecret TOTVS provisioning sent for the tenant, and that --rac-url is the ' +
        'environment (production, staging) they were issued for.',
    };
  }
  if (error.code === 'UNAUTHORIZED') {
    return {
      exitCode: CliExitCode.BadCredentials,
      message:
        `${capitalise(server)} refused the token RAC issued (HTTP 401). The credentials may not be enabled for ` +
        'Smart Link, or --api-url and --rac-url point at different environments.',
    };
  }
  if (error.retriable) {
    return {
      exitCode: CliExitCode.Unreachable,
      message: `Could not reach ${server}: ${error.message}. Check the URL, the network and any proxy, then try again.`,
    };
  }
  const step = endpoint === 'setup' ? 'The setup of the tenant queue failed' : 'Activation failed';
  return { exitCode: CliExitCode.Failed, message: `${step}: ${server} answered: ${error.message}.` };
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
