// Command and audience names
export {
  MAX_COMMAND_NAME_LENGTH,
  IllegalCommandNameError,
  parseCommandName,
  isCommandName,
} from './lib/command/command-name';
export {
  MAX_AUDIENCE_LENGTH,
  IllegalAudienceError,
  parseAudience,
  isAudience,
} from './lib/command/audience-name';
export { CommandNameSchema, AudienceSchema } from './lib/command/command-name-schema';

// Wire format of the RAC token and link API
export {
  RAC_TOKEN_PATH,
  RAC_GRANT_TYPE,
  RAC_SCOPE,
  RAC_TENANT_CLAIM,
  RacTokenResponseSchema,
  OAuthErrorResponseSchema,
  type RacTokenResponse,
  type OAuthErrorResponse,
} from './lib/wire/rac-token';
export { LINK_API_VERSION_PATH, LINK_BASE_PATH, LinkPaths } from './lib/wire/link-paths';
export { MAX_SETUP_SUBSCRIPTIONS, SetupRequestSchema, type SetupRequest } from './lib/wire/setup-request';
export {
  GET_MAX_PARAM,
  MAX_GET_BATCH,
  WireDeliverySchema,
  GetResponseSchema,
  type WireDelivery,
  type GetResponse,
} from './lib/wire/get-response';
export {
  MAX_ACK_RECEIPTS,
  AckRequestSchema,
  AckResponseSchema,
  type AckRequest,
  type AckResponse,
} from './lib/wire/ack-request';

// Envelopes and the internal message model
export type { JsonValue } from './lib/message/json-value';
export { MAX_MESSAGE_ID_LENGTH } from './lib/message/envelope-fields';
export {
  CloudEventsEnvelopeSchema,
  buildCloudEventsEnvelope,
  type CloudEventsEnvelope,
  type CloudEventsEnvelopeInput,
} from './lib/message/cloud-events-envelope';
export {
  TotvsEnvelopeSchema,
  buildTotvsEnvelope,
  type TotvsEnvelope,
  type TotvsEnvelopeInput,
} from './lib/message/totvs-envelope';
export type {
  CloudMessage,
  EnvelopeStyle,
  ReceivedMessage,
  RefusedMessage,
} from './lib/message/cloud-message';
export { parseDelivery, type ParseDeliveryOptions } from './lib/message/cloud-message-parser';

// Settings
export {
  SmartLinkDefaults,
  SmartLinkSettingsSchema,
  parseSmartLinkSettings,
  type SmartLinkSettings,
} from './lib/settings/smartlink-settings';

// Client
export type { AccessToken } from './lib/auth/access-token';
export { RacTokenProvider, type RacTokenProviderOptions } from './lib/auth/rac-token-provider';
export { HttpExchange } from './lib/http/http-exchange';
export { decodeUtf8KeepingInvalidBytes, malformedTextAt } from './lib/text/utf8-escaping';
export { parseRetryAfter } from './lib/http/retry-after';
export { SMARTLINK_CLIENT_VERSION, SMARTLINK_USER_AGENT } from './lib/http/client-version';
export type { SmartLinkTransport, SetupResult } from './lib/client/smartlink-transport';
export { SmartLinkClient, type SmartLinkClientOptions } from './lib/client/smartlink-client';
export {
  SmartLinkPoolDefaults,
  createSmartLinkClient,
  type SmartLinkClientOverrides,
} from './lib/client/create-smartlink-client';

// Errors: decide from `code` and `retriable`
export type { SmartLinkEndpoint } from './lib/errors/smartlink-endpoint';
export { SmartLinkTimeoutError } from './lib/errors/smartlink-timeout-error';
export { SmartLinkNetworkError } from './lib/errors/smartlink-network-error';
export { SmartLinkTlsError } from './lib/errors/smartlink-tls-error';
export { SmartLinkUnauthorizedError } from './lib/errors/smartlink-unauthorized-error';
export { SmartLinkThrottledError } from './lib/errors/smartlink-throttled-error';
export { SmartLinkServerError } from './lib/errors/smartlink-server-error';
export { SmartLinkRejectedError } from './lib/errors/smartlink-rejected-error';
export { AuthenticationFailedError } from './lib/errors/authentication-failed-error';
export { MalformedResponseError } from './lib/errors/malformed-response-error';
export { ResponseTooLargeError } from './lib/errors/response-too-large-error';
export { SendRejectedError } from './lib/errors/send-rejected-error';
export { InvalidRequestError } from './lib/errors/invalid-request-error';
export { MalformedMessageError } from './lib/errors/malformed-message-error';
export { PayloadTooLargeError } from './lib/errors/payload-too-large-error';
