import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { CLOCK, type Clock } from '../clock/clock';
import { MessageFactory } from '../queues/message-factory';
import { QueueRegistry } from '../queues/queue-registry';
import { ClientRegistry } from '../rac/client-registry';
import { SIM_SETTINGS, type SimSettings } from '../settings/sim-settings';

/** How often demo traffic is published; each tick publishes what the rate owes since the last one. */
export const DEMO_TICK_MS = 100;
const DEMO_PAYLOAD_BYTES = 256;

/**
 * Keeps publishing demo messages to the demo tenant at SIM_DEMO_RATE per second, cycling through
 * SIM_DEMO_COMMANDS and alternating envelope styles, so `npm start` shows traffic end to end. Messages are
 * routed like any other: until the client has set up those commands, they are lost (counted as unrouted).
 */
@Injectable()
export class DemoTraffic implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(DemoTraffic.name);
  private timer: NodeJS.Timeout | null = null;
  private owed = 0;
  private seq = 0;

  constructor(
    @Inject(SIM_SETTINGS) private readonly settings: SimSettings,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly queues: QueueRegistry,
    private readonly clients: ClientRegistry,
  ) {}

  onApplicationBootstrap(): void {
    const rate = this.settings.SIM_DEMO_RATE;
    if (rate <= 0) return;
    const tenantId = this.settings.SIM_DEMO_TENANT || this.clients.firstTenant();
    this.logger.log(
      `demo traffic: ${rate}/s of ${this.settings.SIM_DEMO_COMMANDS.join(', ')} for tenant ${tenantId}`,
    );
    this.timer = setInterval(() => this.tick(tenantId, rate), DEMO_TICK_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** Publishes the messages owed for one tick; exposed for tests, which call it instead of waiting. */
  tick(tenantId: string, rate: number): number {
    this.owed += (rate * DEMO_TICK_MS) / 1000;
    const count = Math.floor(this.owed);
    this.owed -= count;
    if (count === 0) return 0;
    const commands = this.settings.SIM_DEMO_COMMANDS;
    const now = new Date(this.clock.now());
    const items = Array.from({ length: count }, () => {
      const seq = this.seq++;
      const type = commands[seq % commands.length] as string;
      const style = seq % 2 === 0 ? 'cloudevents' : 'totvs';
      return MessageFactory.synthetic(tenantId, { type, style, payloadBytes: DEMO_PAYLOAD_BYTES, seq }, now)
        .item;
    });
    this.queues.publish(tenantId, items, false);
    return count;
  }
}
