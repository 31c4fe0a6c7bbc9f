import { Injectable, Scope, type Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { SegmentConfigurationError } from '../errors/segment-configuration-error';
import { CommandRegistry } from '../handler/command-registry';
import type { HandlerContext } from '../handler/handler-context';
import { OnCommand } from '../handler/on-command.decorator';
import type { SegmentMessage } from '../handler/segment-message';
import { HandlerDiscovery } from './handler-discovery';

@Injectable()
class Greeting {
  readonly text = 'hello';
}

@Injectable()
class DemoHandlers {
  readonly seen: string[] = [];
  constructor(private readonly greeting: Greeting) {}

  @OnCommand('DemoPing')
  ping(message: SegmentMessage): string {
    this.seen.push(message.id);
    return this.greeting.text;
  }

  @OnCommand('DemoA')
  @OnCommand('DemoB')
  both(message: SegmentMessage): string {
    return message.command;
  }

  notAHandler(): void {
    this.seen.push('never');
  }
}

@Injectable()
class RivalHandlers {
  @OnCommand('DemoPing')
  ping(): void {
    return undefined;
  }
}

@Injectable({ scope: Scope.REQUEST })
class RequestScopedHandlers {
  @OnCommand('DemoScoped')
  handle(): void {
    return undefined;
  }
}

@Injectable()
class IllegalHandlers {
  @OnCommand('demo/../../etc')
  handle(): void {
    return undefined;
  }
}

async function discover(...handlers: Type[]): Promise<CommandRegistry> {
  const moduleRef = await Test.createTestingModule({
    imports: [DiscoveryModule],
    providers: [
      { provide: CommandRegistry, useFactory: () => new CommandRegistry() },
      HandlerDiscovery,
      Greeting,
      ...handlers,
    ],
  }).compile();
  moduleRef.useLogger(false);
  await moduleRef.init();
  await moduleRef.close();
  return moduleRef.get(CommandRegistry);
}

const message: SegmentMessage = {
  id: 'm-1',
  command: 'DemoPing',
  tenantId: null,
  correlatedId: null,
  attempt: 1,
  data: '',
  receivedAt: '2026-11-28T10:00:00.000Z',
};
const context = {} as HandlerContext;

describe('HandlerDiscovery', () => {
  it('registers every @OnCommand method of the providers, bound to its instance', async () => {
    const registry = await discover(DemoHandlers);

    expect(registry.commands().sort()).toEqual(['DemoA', 'DemoB', 'DemoPing']);
    expect(registry.get('DemoPing')?.origin).toBe('DemoHandlers.ping');
    expect(registry.get('DemoPing')?.handler(message, context)).toBe('hello');
    expect(registry.get('DemoB')?.handler({ ...message, command: 'DemoB' }, context)).toBe('DemoB');
  });

  it('leaves undecorated methods alone', async () => {
    const registry = await discover(DemoHandlers);
    expect(registry.commands()).not.toContain('notAHandler');
  });

  describe('when two providers handle the same command', () => {
    it('stops start-up naming both', async () => {
      await expect(discover(DemoHandlers, RivalHandlers)).rejects.toThrow(
        /two handlers for command DemoPing: (DemoHandlers|RivalHandlers)\.ping and (RivalHandlers|DemoHandlers)\.ping/,
      );
    });
  });

  it('stops start-up on an illegal command name, naming the method', async () => {
    await expect(discover(IllegalHandlers)).rejects.toThrow(
      /IllegalHandlers\.handle: illegal command name: "demo\/..\/..\/etc"/,
    );
  });

  it('refuses a handler on a request-scoped provider', async () => {
    await expect(discover(RequestScopedHandlers)).rejects.toThrow(SegmentConfigurationError);
    await expect(discover(RequestScopedHandlers)).rejects.toThrow(/not a singleton/);
  });
});

describe('@OnCommand', () => {
  it('refuses to decorate something that is not a method', () => {
    expect(() => {
      class Accessor {
        @OnCommand('DemoPing')
        get value(): number {
          return 1;
        }
      }
      return new Accessor();
    }).toThrow(/Accessor\.value: it goes on a method/);
  });
});
