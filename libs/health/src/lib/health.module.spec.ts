import { Injectable, Module } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { Test } from '@nestjs/testing';
import { HealthController } from './health.controller';
import { HealthModule } from './health.module';
import { flagCheck } from './flag-check';

@Injectable()
class Switch {
  on = true;
}

async function controllerWith(sw: Switch): Promise<HealthController> {
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
      }),
    ],
  }).compile();
  return moduleRef.get(HealthController);
}

describe('HealthModule', () => {
  it('answers liveness without running any check', async () => {
    const sw = new Switch();
    sw.on = false;
    const controller = await controllerWith(sw);
    expect(controller.live()).toEqual({ status: 'ok' });
  });

  it('is ready when every check is up', async () => {
    const controller = await controllerWith(new Switch());
    await expect(controller.ready()).resolves.toMatchObject({
      status: 'ok',
      info: { consumer: { status: 'up', group: 'g1' } },
    });
  });

  describe('when a check is down', () => {
    it('refuses readiness (terminus answers 503)', async () => {
      const sw = new Switch();
      const controller = await controllerWith(sw);
      sw.on = false;
      await expect(controller.ready()).rejects.toMatchObject({ status: 503 });
    });
  });
});
