import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { CLOCK, type Clock } from '../clock/clock';
import { FaultConfigSchema, type FaultConfig } from '../faults/fault-config';
import { FaultPlan } from '../faults/fault-plan';
import { RequestMetrics } from '../faults/request-metrics';
import { ZodBodyPipe } from '../http/zod-body.pipe';
import { MessageFactory } from '../queues/message-factory';
import { QueueRegistry } from '../queues/queue-registry';
import { TokenIssuer } from '../rac/token-issuer';
import { SIM_SETTINGS, type SimSettings } from '../settings/sim-settings';
import {
  ConfigRequestSchema,
  EnqueueRequestSchema,
  GenerateRequestSchema,
  type ConfigRequest,
  type EnqueueRequest,
  type GenerateRequest,
} from './admin-requests';

/**
 * Test and benchmark controls. No authentication: the simulator is a test tool and listens on 127.0.0.1 by
 * default; never expose it. Nothing here is part of the Smart Link contract.
 */
@Controller('admin')
export class AdminController {
  constructor(
    private readonly queues: QueueRegistry,
    private readonly faults: FaultPlan,
    private readonly metrics: RequestMetrics,
    private readonly issuer: TokenIssuer,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SIM_SETTINGS) private readonly settings: SimSettings,
  ) {}

  /** Publishes messages to a tenant, as a TOTVS App would through `link-input`. */
  @Post('tenants/:tenantId/messages')
  @HttpCode(200)
  enqueue(
    @Param('tenantId') tenantId: string,
    @Body(new ZodBodyPipe(EnqueueRequestSchema)) body: EnqueueRequest,
  ) {
    const now = new Date(this.clock.now());
    const built = body.messages.map((spec) => MessageFactory.build(tenantId, spec, now));
    const outcomes = this.queues.publish(
      tenantId,
      built.map((b) => b.item),
      body.direct,
    );
    return {
      messages: built.map((b, i) => ({ id: b.id, messageId: b.item.messageId, status: outcomes[i]?.status })),
    };
  }

  /** Publishes `count` synthetic messages of about `payloadBytes` each. */
  @Post('tenants/:tenantId/messages/generate')
  @HttpCode(200)
  generate(
    @Param('tenantId') tenantId: string,
    @Body(new ZodBodyPipe(GenerateRequestSchema)) body: GenerateRequest,
  ) {
    const now = new Date(this.clock.now());
    const items = Array.from(
      { length: body.count },
      (_, seq) => MessageFactory.synthetic(tenantId, { ...body, seq }, now).item,
    );
    const outcomes = this.queues.publish(tenantId, items, body.direct);
    const queued = outcomes.filter((o) => o.status === 'queued').length;
    return { queued, unrouted: outcomes.length - queued };
  }

  @Get('tenants/:tenantId/acked')
  acked(@Param('tenantId') tenantId: string) {
    return this.queues.acked(tenantId);
  }

  @Get('sent')
  sent(@Query('tenantId') tenantId?: string) {
    return this.queues.sent(tenantId);
  }

  @Get('gets')
  gets(@Query('tenantId') tenantId?: string) {
    return this.queues.gets(tenantId);
  }

  @Get('stats')
  stats() {
    return {
      tenants: this.queues.stats(),
      http: this.metrics.snapshot(),
      visibilityTimeoutMs: this.queues.getVisibilityTimeout(),
    };
  }

  @Get('faults')
  getFaults() {
    return this.faults.snapshot();
  }

  /** Replaces the whole fault configuration (send `{}` to clear it). */
  @Put('faults')
  setFaults(@Body(new ZodBodyPipe(FaultConfigSchema)) config: FaultConfig) {
    this.faults.replace(config);
    return this.faults.snapshot();
  }

  @Put('config')
  setConfig(@Body(new ZodBodyPipe(ConfigRequestSchema)) body: ConfigRequest) {
    this.queues.setVisibilityTimeout(body.visibilityTimeoutMs);
    return { visibilityTimeoutMs: this.queues.getVisibilityTimeout() };
  }

  /** Revokes every token issued so far: the link API answers 401 to them from now on. */
  @Post('tokens/rotate-key')
  @HttpCode(204)
  rotateKey(): void {
    this.issuer.rotateKey();
  }

  /** Forgets all queues, bindings, records and counters, and restores the boot fault configuration (SIM_FAULTS). */
  @Post('reset')
  @HttpCode(204)
  reset(): void {
    this.queues.reset();
    this.metrics.reset();
    this.faults.replace(this.settings.SIM_FAULTS);
  }
}
