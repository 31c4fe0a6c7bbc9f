import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { waitFor } from '@smartlink/testing';
import { HealthModule } from './health.module';
import { ServicePhase } from './service-phase';
import { ShutdownDeadline } from './shutdown-deadline';

/** A provider whose shutdown hook waits until the test lets it go. */
@Injectable()
class ConsumerThatHangs implements OnModuleDestroy {
  private releaseHook: () => void = () => undefined;
  onModuleDestroy(): Promise<void> {
    return new Promise((resolve) => {
      this.releaseHook = resolve;
    });
  }
  release(): void {
    this.releaseHook();
  }
}

async function appWith(deadlineMs: number, exits: number[]) {
  const moduleRef = await Test.createTestingModule({
    imports: [
      HealthModule.forRoot({
        readiness: () => [],
        shutdownDeadlineMs: deadlineMs,
        exit: (code) => exits.push(code),
      }),
    ],
    providers: [ConsumerThatHangs],
  }).compile();
  moduleRef.useLogger(false);
  return moduleRef.init();
}

describe('ShutdownDeadline', () => {
  describe('when a shutdown hook outlives the deadline', () => {
    it('names the hook still open and exits with code 1', async () => {
      const exits: number[] = [];
      const app = await appWith(200, exits);
      const deadline = app.get(ShutdownDeadline);
      const consumer = app.get(ConsumerThatHangs);

      deadline.arm('SIGTERM');
      const closing = app.close();
      await waitFor(() => deadline.stillOpen().some((s) => s.startsWith('ConsumerThatHangs.onModuleDestroy')), {
        description: 'the hook to be seen as open',
      });
      await waitFor(() => exits.length > 0, { description: 'the deadline to pass', timeoutMs: 5_000 });
      expect(exits).toEqual([1]);
      expect(app.get(ServicePhase).stopping).toBe(true);

      consumer.release();
      await closing;
      expect(deadline.stillOpen()).toEqual([]);
    });
  });

  it('is not armed by app.close() alone (tests close apps without a signal)', async () => {
    const exits: number[] = [];
    const app = await appWith(50, exits);
    const deadline = app.get(ShutdownDeadline);
    const closing = app.close();
    await waitFor(() => deadline.stillOpen().length > 0, { description: 'a shutdown hook to run' });
    expect(deadline.armed).toBe(false);
    app.get(ConsumerThatHangs).release();
    await closing;
    expect(app.get(ServicePhase).stopping).toBe(true);
    expect(exits).toEqual([]);
  });
});
