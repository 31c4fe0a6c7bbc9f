import { nameBasedUuid } from './name-based-uuid';

/** The namespace of the ids a handler's publishes get; fixed forever, or replies change their ids on upgrade. */
export const HANDLER_PUBLISH_NAMESPACE = '3b9f2d64-8a1e-4c7b-9e05-6d2f41a8c7e3';

/**
 * The id of the `n`-th message (1-based) a handler publishes while handling message `handledMessageId`. The same on
 * every run of the handler for that message (a retry, a redelivery), so the executor, which keys upstream messages
 * by id, stores and sends each of them once.
 */
export function handlerPublishId(handledMessageId: string, n: number): string {
  return nameBasedUuid(HANDLER_PUBLISH_NAMESPACE, `${handledMessageId}\n${n}`);
}
