import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import { SegmentConfigurationError } from '../errors/segment-configuration-error';
import type { CommandHandler } from '../handler/command-handler';
import { CommandRegistry } from '../handler/command-registry';
import { onCommandsOf } from '../handler/on-command.decorator';

/**
 * Finds `@OnCommand` methods on the app's providers during module init and registers them, bound to their
 * instance. A decorated method on a request-scoped or transient provider stops start-up: a message has no request
 * and the handler must be one instance.
 */
@Injectable()
export class HandlerDiscovery implements OnModuleInit {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly registry: CommandRegistry,
  ) {}

  onModuleInit(): void {
    for (const wrapper of this.discovery.getProviders()) {
      const metatype: unknown = wrapper.metatype;
      const instance: unknown = wrapper.instance;
      // Factory and value providers have no class of their own to carry decorated methods.
      const prototype: unknown =
        typeof metatype === 'function' && wrapper.inject == null
          ? (metatype as { prototype: unknown }).prototype
          : instance !== null && typeof instance === 'object'
            ? Object.getPrototypeOf(instance)
            : undefined;
      if (prototype === null || typeof prototype !== 'object') continue;
      for (const name of this.scanner.getAllMethodNames(prototype)) {
        const method: unknown = (prototype as Record<string, unknown>)[name];
        if (typeof method !== 'function') continue;
        const commands = onCommandsOf(method);
        if (commands.length === 0) continue;
        const origin = `${(prototype as { constructor: { name: string } }).constructor.name}.${name}`;
        if (!wrapper.isDependencyTreeStatic() || instance === null || typeof instance !== 'object') {
          throw new SegmentConfigurationError(
            `${origin} handles ${commands.join(', ')} but its provider is not a singleton; remove the request ` +
              'or transient scope (from it and from what it injects)',
          );
        }
        const handler: CommandHandler = (message, context) =>
          (method as CommandHandler).call(instance, message, context);
        for (const command of commands) this.registry.register(command, handler, origin);
      }
    }
  }
}
