import { Injectable, Module } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { HealthController } from './health.controller';
import { HealthModule } from './health.module';
import { flagCheck } from './flag-check';
import { ServicePhase } from './service-phase';

@Injectable()
class Switch {
  on = true;
  joined = false;
}

async function controllerWith(sw: Switch): Promise<{ controller: HealthController; phase: ServicePhase }> {
  @Module({ providers: [{ provide: Switch, useValue: sw }], exports: [Switch] })
  class SwitchModule {}

  const moduleRef = await Test.createTestingModule({
    imports: [
      HealthModule.forRoot({
        imports: [SwitchModule],
        inject: [Switch, HealthIndicatorService],
        readiness: (s: Switch, indicators: HealthIndicatorService) => [
          flagCheck(
            indicators,
            'consumer',
            () => s.on,
            () => ({ group: 'g1' }),
          ),
        ],
        startup: (s: Switch, indicators: HealthIndicatorService) => [
          flagCheck(indicators, 'joined', () => s.joined),
        ],
      }),
    ],
  }).compile();
  return { controller: moduleRef.get(HealthController), phase: moduleRef.get(ServicePhase) };
}

describe('HealthModule', () => {
  it('answers liveness without running any check', async () => {
    const sw = new Switch();
    sw.on = false;
    const { controller } = await controllerWith(sw);
    expect(controller.live()).toEqual({ status: 'ok' });
  });

  it('is ready when every check is up', async () => {
    const { controller } = await controllerWith(new Switch());
    await expect(controller.ready()).resolves.toMatchObject({
      status: 'ok',
      info: { consumer: { status: 'up', group: 'g1' }, lifecycle: { status: 'up', phase: 'starting' } },
    });
  });

  describe('when a check is down', () => {
    it('refuses readiness (terminus answers 503)', async () => {
      const sw = new Switch();
      const { controller } = await controllerWith(sw);
      sw.on = false;
      await expect(controller.ready()).rejects.toMatchObject({ status: 503 });
    });
  });

  describe('when shutdown has begun', () => {
    it('refuses readiness while every dependency is still up, and stays alive', async () => {
      const { controller, phase } = await controllerWith(new Switch());
      phase.markStopping(Date.now());
      await expect(controller.ready()).rejects.toMatchObject({
        status: 503,
        response: { error: { lifecycle: { status: 'down', phase: 'stopping' } } },
      });
      expect(controller.live()).toEqual({ status: 'ok' });
    });
  });

  describe('the startup probe', () => {
    it('answers 503 until the startup checks pass, then 200 for good', async () => {
      const sw = new Switch();
      const { controller } = await controllerWith(sw);
      await expect(controller.started()).rejects.toMatchObject({ status: 503 });

      sw.joined = true;
      await expect(controller.started()).resolves.toMatchObject({ status: 'ok' });

      sw.joined = false;
      sw.on = false;
      await expect(controller.started()).resolves.toMatchObject({ status: 'ok', phase: 'running' });
    });

    it('uses the readiness checks when no startup checks are given', async () => {
      const sw = new Switch();
      sw.on = false;
      const moduleRef = await Test.createTestingModule({
        imports: [
          HealthModule.forRoot({
            inject: [HealthIndicatorService],
            readiness: (indicators: HealthIndicatorService) => [flagCheck(indicators, 'consumer', () => sw.on)],
          }),
        ],
      }).compile();
      const controller = moduleRef.get(HealthController);
      await expect(controller.started()).rejects.toMatchObject({ status: 503 });
      sw.on = true;
      await expect(controller.started()).resolves.toMatchObject({ status: 'ok' });
    });
  });
});

