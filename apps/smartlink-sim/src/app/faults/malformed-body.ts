import type { FaultEndpoint } from './fault-config';

/** JSON cut short: what a proxy that drops the connection mid-body leaves behind. */
const INVALID_JSON = '{"messages": [{"receipt": "r-1", "body": "{\\"header';

/** Well-formed JSON whose shape breaks the contract of each endpoint, at a field the client must name. */
const WRONG_SHAPE: Readonly<Record<FaultEndpoint, string>> = {
  token: '{"access_token": 42, "expires_in": "soon", "token_type": "Bearer"}',
  setup: '{"subscriptions": "everything"}',
  get: '{"messages": [{"receipt": 42, "body": {"not": "a string"}}]}',
  ack: '{"acked": "all", "ignored": null}',
  send: '{"accepted": "maybe"}',
};

/** The body a `malformed` fault answers with. */
export function malformedBody(endpoint: FaultEndpoint, variant: 'invalid-json' | 'wrong-shape'): string {
  return variant === 'invalid-json' ? INVALID_JSON : WRONG_SHAPE[endpoint];
}
