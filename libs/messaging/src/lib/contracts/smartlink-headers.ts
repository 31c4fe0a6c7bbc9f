/**
 * Kafka header names on records about a message, so consumers in any language can route, deduplicate and trace
 * without parsing the body. Values are UTF-8 strings.
 */
export const SmartLinkHeaders = {
  messageId: 'smartlink-message-id',
  attempt: 'smartlink-attempt',
  command: 'smartlink-command',
  correlationId: 'smartlink-correlation-id',
  /** The record's schema, e.g. `command-message/v1`, `event/received/v1`. */
  schema: 'smartlink-schema',
  /**
   * On a command record: `true` when the attempt before this one was lost while its handler ran (the process ended
   * or stopped answering); the segment runs it with nothing else beside it, so a poison message charges no
   * bystander again.
   */
  runAlone: 'smartlink-run-alone',
  /**
   * On a command record: the instant (ISO 8601) after which the attempt must not start. Past it the retry scheduler
   * may already count the attempt as failed (no outcome within `DISPATCH_TIMEOUT_MS`) and dispatch the next one, so a
   * handler started later could run beside its own retry. A segment that gets the record later answers it with a
   * failed outcome instead of running it. Half the dispatch timeout after the dispatch: the other half is the time the
   * started marker has to reach the table before the sweep looks.
   */
  startBy: 'smartlink-start-by',
} as const;
