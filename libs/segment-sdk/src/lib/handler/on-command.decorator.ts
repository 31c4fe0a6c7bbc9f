import { SegmentConfigurationError } from '../errors/segment-configuration-error';

// Kept beside the function objects rather than in reflect-metadata, so reading it needs nothing loaded first.
const commandsByMethod = new WeakMap<object, readonly string[]>();

/**
 * Makes a method of an `@Injectable()` provider the handler of a command (RM's
 * `RMSSmartLinkConsumerMessageAttr(CodSistema, "Comando")`). The SDK finds decorated methods when the app starts
 * and subscribes to `<ns>.cmd.<command>`; the command name is validated then, and two handlers of one command stop
 * the start-up. Stack it to handle several commands with one method. The provider must be a singleton (the
 * default scope).
 *
 * The method gets `(message: SegmentMessage, context: HandlerContext)`: return to report success, throw to report
 * a retryable failure, throw `FatalSegmentError` to dead-letter the message.
 *
 * @example
 * @Injectable()
 * export class PrivacyHandlers {
 *   @OnCommand('SGDPDataCommand')
 *   async erase(message: SegmentMessage, { logger }: HandlerContext): Promise<void> { ... }
 * }
 */
export function OnCommand(command: string): MethodDecorator {
  return (target, key, descriptor) => {
    const method: unknown = descriptor.value;
    if (typeof method !== 'function') {
      throw new SegmentConfigurationError(
        `@OnCommand(${JSON.stringify(command)}) on ${target.constructor.name}.${String(key)}: it goes on a method`,
      );
    }
    // Decorators apply bottom-up; prepend so the list reads in declaration order.
    commandsByMethod.set(method, [command, ...onCommandsOf(method)]);
    return descriptor;
  };
}

/** The commands `@OnCommand` attached to a method, in declaration order; empty when it has none. */
export function onCommandsOf(method: object): readonly string[] {
  return commandsByMethod.get(method) ?? [];
}
