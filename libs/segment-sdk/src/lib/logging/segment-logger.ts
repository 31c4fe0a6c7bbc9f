/**
 * What a handler logs with (RM's `IRMSLogger`). Each line goes to the app's stdout and to GTOTVSLINKLOG (through
 * `<ns>.logs` and the log-writer) with the message id, so operators see it beside the message's attempts.
 *
 * `debug` is the detail kept in DATADEBUG: an `Error` gives its stack, a string is kept as is, anything else is
 * written as JSON. Never log secrets or whole payloads with personal data.
 */
export interface SegmentLogger {
  info(message: string, debug?: unknown): void;
  warn(message: string, debug?: unknown): void;
  error(message: string, debug?: unknown): void;
}
