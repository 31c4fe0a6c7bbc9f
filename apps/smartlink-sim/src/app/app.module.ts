import { Module, type DynamicModule } from '@nestjs/common';
import { AdminController } from './admin/admin.controller';
import { CLOCK, systemClock, type Clock } from './clock/clock';
import { DemoTraffic } from './demo/demo-traffic';
import { FaultInjector } from './faults/fault-injector';
import { RawBytesResponder } from './link/raw-bytes';
import { FaultPlan } from './faults/fault-plan';
import { RequestMetrics } from './faults/request-metrics';
import { BearerAuthGuard } from './link/bearer-auth.guard';
import { LinkController } from './link/link.controller';
import { QueueRegistry } from './queues/queue-registry';
import { ClientRegistry } from './rac/client-registry';
import { RacController } from './rac/rac.controller';
import { TokenIssuer } from './rac/token-issuer';
import { SIM_SETTINGS, type SimSettings } from './settings/sim-settings';

/**
 * The simulator of the Smart Link cloud: RAC token endpoint, link API, admin API, fault injection and demo
 * traffic, composed from settings validated once at boot.
 */
@Module({})
export class AppModule {
  static forRoot(settings: SimSettings, clock: Clock = systemClock): DynamicModule {
    return {
      module: AppModule,
      controllers: [RacController, LinkController, AdminController],
      providers: [
        { provide: SIM_SETTINGS, useValue: settings },
        { provide: CLOCK, useValue: clock },
        { provide: FaultPlan, useFactory: () => new FaultPlan(settings.SIM_FAULTS) },
        { provide: RequestMetrics, useFactory: () => new RequestMetrics() },
        FaultInjector,
        RawBytesResponder,
        ClientRegistry,
        TokenIssuer,
        BearerAuthGuard,
        QueueRegistry,
        DemoTraffic,
      ],
    };
  }
}
