import { SmartLinkError } from '@smartlink/common';

/**
 * RAC refused the client credentials (HTTP 400/401 from the token endpoint, e.g. OAuth `invalid_client`).
 * Not retriable: the client id or secret is wrong, revoked, or lacks the `authorization_api` scope.
 */
export class AuthenticationFailedError extends SmartLinkError {
  constructor(
    readonly status: number,
    /** The OAuth error code the server returned (e.g. `invalid_client`), when it returned a well-formed one. */
    readonly oauthError: string | null,
  ) {
    super(
      'AUTHENTICATION_FAILED',
      `RAC refused the client credentials: HTTP ${status}${oauthError ? ` (${oauthError})` : ''}`,
      false,
    );
  }
}
