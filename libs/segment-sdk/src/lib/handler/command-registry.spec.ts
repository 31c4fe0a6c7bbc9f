import { SegmentConfigurationError } from '../errors/segment-configuration-error';
import { CommandRegistry } from './command-registry';

const handler = () => undefined;

describe('CommandRegistry', () => {
  it('keeps one handler per command, in registration order', () => {
    const registry = new CommandRegistry();
    registry.register('DemoPing', handler);
    registry.register('Demo.Employee_Updated-v2', handler, 'Handlers.employee');

    expect(registry.commands()).toEqual(['DemoPing', 'Demo.Employee_Updated-v2']);
    expect(registry.get('Demo.Employee_Updated-v2')).toMatchObject({ origin: 'Handlers.employee', handler });
    expect(registry.get('Unknown')).toBeUndefined();
  });

  describe('when a second handler claims a command', () => {
    it('refuses it, naming both', () => {
      const registry = new CommandRegistry();
      registry.register('DemoPing', handler, 'First.ping');

      expect(() => registry.register('DemoPing', handler, 'Second.ping')).toThrow(
        new SegmentConfigurationError(
          'two handlers for command DemoPing: First.ping and Second.ping; a command has exactly one handler',
        ),
      );
    });
  });

  it.each(['', 'a/b', '.hidden', 'x'.repeat(101), 'ação'])('refuses the illegal command name %j', (name) => {
    const registry = new CommandRegistry();
    expect(() => registry.register(name, handler, 'Handlers.bad')).toThrow(
      expect.objectContaining({
        code: 'SEGMENT_CONFIGURATION',
        retriable: false,
        message: expect.stringMatching(/^Handlers\.bad: illegal command name/),
      }),
    );
    expect(registry.commands()).toEqual([]);
  });

  it('refuses registrations once sealed, because the subscription is fixed', () => {
    const registry = new CommandRegistry();
    registry.seal();
    expect(() => registry.register('DemoPing', handler)).toThrow(/registered after the segment started/);
  });
});
