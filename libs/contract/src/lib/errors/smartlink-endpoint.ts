/**
 * The calls the client makes to the cloud. Errors name the endpoint so a log line says which call failed
 * without carrying its URL, headers or body.
 */
export type SmartLinkEndpoint = 'token' | 'setup' | 'get' | 'ack' | 'send';
