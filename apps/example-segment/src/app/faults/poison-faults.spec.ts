import type { HandlerContext, SegmentMessage } from '@smartlink/segment-sdk';
import { DemoEmployeeUpdatedHandler } from '../handlers/demo-employee-updated.handler';
import { SucceededMessages } from '../stats/succeeded-messages';
import { POISON_BEHAVIOURS, PoisonFaults, poisonOf } from './poison-faults';

function employee(data: unknown, attempt = 2): SegmentMessage {
  return {
    id: 'emp-1',
    command: 'DemoEmployeeUpdated',
    tenantId: 'tenant-1',
    correlatedId: null,
    attempt,
    data: JSON.stringify(data),
    receivedAt: '2026-11-28T10:00:00.000Z',
  };
}

function context(): HandlerContext & { lines: string[] } {
  const lines: string[] = [];
  const log = (message: string) => lines.push(message);
  return {
    attempt: 2,
    lines,
    logger: { info: log, warn: log, error: log },
    signal: new AbortController().signal,
    publish: () => 'id',
    reply: () => 'id',
  };
}

function faults(enabled: boolean) {
  const kill = jest.fn();
  const note = jest.fn();
  return { kill, note, poison: new PoisonFaults({ enabled, kill, note }) };
}

describe('poisonOf', () => {
  it('reads the "poison" field of an object, and nothing else', () => {
    expect(POISON_BEHAVIOURS.map((p) => poisonOf({ poison: p }))).toEqual(['kill', 'hang', 'block', 'oom']);
    expect([poisonOf({ poison: 'explode' }), poisonOf({}), poisonOf('kill'), poisonOf(null)]).toEqual([
      null,
      null,
      null,
      null,
    ]);
  });
});

describe('PoisonFaults', () => {
  describe('without SMARTLINK_FAULTS_ENABLED=true', () => {
    it.each(POISON_BEHAVIOURS)('ignores "poison": "%s": the handler applies the update', (behaviour) => {
      const { kill, note, poison } = faults(false);
      const succeeded = new SucceededMessages();
      const ctx = context();

      const result = new DemoEmployeeUpdatedHandler(succeeded, poison).handle(
        employee({ poison: behaviour, n: 1 }),
        ctx,
      );

      expect(result).toBeUndefined();
      expect(ctx.lines).toEqual(['employee update applied (2 field(s))']);
      expect(succeeded.size).toBe(1);
      expect(kill).not.toHaveBeenCalled();
      expect(note).not.toHaveBeenCalled();
    });

    it('is what fromEnvironment builds unless the flag is exactly "true"', () => {
      for (const env of [{}, { SMARTLINK_FAULTS_ENABLED: 'TRUE' }, { SMARTLINK_FAULTS_ENABLED: '1' }]) {
        expect(PoisonFaults.fromEnvironment(env).strike('kill', 'emp-1 attempt 1')).toBeNull();
      }
    });
  });

  describe('with SMARTLINK_FAULTS_ENABLED=true', () => {
    it('leaves a message without poison alone', () => {
      const { kill, note, poison } = faults(true);
      const ctx = context();
      const result = new DemoEmployeeUpdatedHandler(new SucceededMessages(), poison).handle(
        employee({ n: 1 }),
        ctx,
      );
      expect(result).toBeUndefined();
      expect(ctx.lines).toEqual(['employee update applied (1 field(s))']);
      expect([kill.mock.calls.length, note.mock.calls.length]).toEqual([0, 0]);
    });

    it('"kill" notes the attempt, then kills the process before the update is applied', () => {
      const { kill, note, poison } = faults(true);
      const succeeded = new SucceededMessages();
      const ctx = context();

      // The kill double returns, so the handler hands back a promise that never settles: ignored here.
      void new DemoEmployeeUpdatedHandler(succeeded, poison).handle(employee({ poison: 'kill' }, 3), ctx);

      expect(note).toHaveBeenCalledWith('poison kill: emp-1 attempt 3');
      expect(kill).toHaveBeenCalledTimes(1);
      expect(note.mock.invocationCallOrder[0]).toBeLessThan(kill.mock.invocationCallOrder[0] as number);
      expect(ctx.lines).toEqual([]);
      expect(succeeded.size).toBe(0);
    });

    describe('"hang"', () => {
      beforeEach(() => jest.useFakeTimers());
      afterEach(() => jest.useRealTimers());

      it('never settles, not even when the attempt is aborted', async () => {
        const { kill, poison } = faults(true);
        const abort = new AbortController();
        const ctx = { ...context(), signal: abort.signal };

        const result = new DemoEmployeeUpdatedHandler(new SucceededMessages(), poison).handle(
          employee({ poison: 'hang' }),
          ctx,
        );
        let settled = false;
        void result?.then(
          () => (settled = true),
          () => (settled = true),
        );
        abort.abort(new Error('handler timed out'));
        await jest.advanceTimersByTimeAsync(24 * 3_600_000);

        expect(result).toBeInstanceOf(Promise);
        expect(settled).toBe(false);
        expect(kill).not.toHaveBeenCalled();
        expect(ctx.lines).toEqual([]);
      });
    });
  });
});
