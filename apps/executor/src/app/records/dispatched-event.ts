import type { CommandMessage, DispatchedEvent } from '@smartlink/messaging';

/** The `dispatched` event of an attempt handed to its segment. */
export function dispatchedEvent(
  command: Pick<CommandMessage, 'id' | 'command' | 'attempt'>,
  at: string,
): DispatchedEvent {
  return {
    type: 'dispatched',
    messageId: command.id,
    at,
    command: command.command,
    attempt: command.attempt,
  };
}
