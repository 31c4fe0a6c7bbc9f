import { IllegalCommandNameError, parseCommandName } from '@smartlink/contract';
import { SegmentConfigurationError } from '../errors/segment-configuration-error';
import type { CommandHandler } from './command-handler';

/** A handler as the registry keeps it. */
export interface RegisteredHandler {
  readonly command: string;
  readonly handler: CommandHandler;
  /** Where it came from, for error messages: `EmployeeHandlers.onUpdated`, or `registry.register`. */
  readonly origin: string;
}

/**
 * The handlers of this segment, one per command. `@OnCommand` methods are registered here at start-up; code that
 * builds handlers at run time registers them itself, before the application finishes starting (e.g. in
 * `onModuleInit`). Once the consumer starts the registry is sealed: the subscription is fixed by then.
 *
 * @example
 * constructor(registry: CommandRegistry) {
 *   registry.register('SGDPDataCommand', (message, { logger }) => this.erase(message, logger));
 * }
 */
export class CommandRegistry {
  private readonly handlers = new Map<string, RegisteredHandler>();
  private sealed = false;

  /**
   * Adds the handler of one command.
   * @throws SegmentConfigurationError for an illegal command name, a second handler of the same command, or a
   *   registration after start-up.
   */
  register(command: string, handler: CommandHandler, origin = 'CommandRegistry.register'): void {
    let name: string;
    try {
      name = parseCommandName(command);
    } catch (error) {
      const reason = error instanceof IllegalCommandNameError ? error.reason : String(error);
      throw new SegmentConfigurationError(`${origin}: illegal command name: ${reason}`, { cause: error });
    }
    if (typeof handler !== 'function') {
      throw new SegmentConfigurationError(`${origin}: the handler of ${name} is not a function`);
    }
    if (this.sealed) {
      throw new SegmentConfigurationError(
        `${origin}: ${name} was registered after the segment started consuming; register handlers during ` +
          'start-up (a constructor or onModuleInit) so the subscription includes them',
      );
    }
    const existing = this.handlers.get(name);
    if (existing) {
      throw new SegmentConfigurationError(
        `two handlers for command ${name}: ${existing.origin} and ${origin}; a command has exactly one handler`,
      );
    }
    this.handlers.set(name, { command: name, handler, origin });
  }

  /** The handler of `command`, if any. */
  get(command: string): RegisteredHandler | undefined {
    return this.handlers.get(command);
  }

  /** The registered command names, in registration order. */
  commands(): string[] {
    return [...this.handlers.keys()];
  }

  /** Refuses further registrations; the consumer calls it when it subscribes. */
  seal(): void {
    this.sealed = true;
  }
}
