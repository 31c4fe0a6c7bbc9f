import {
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  UseGuards,
  type RawBodyRequest,
} from '@nestjs/common';
import {
  AckRequestSchema,
  GET_MAX_PARAM,
  LINK_API_VERSION_PATH,
  LINK_BASE_PATH,
  MAX_GET_BATCH,
  SetupRequestSchema,
  isAudience,
  isCommandName,
  type AckRequest,
  type AckResponse,
  type GetResponse,
  type SetupRequest,
} from '@smartlink/contract';
import type { FastifyRequest } from 'fastify';
import { ZodBodyPipe } from '../http/zod-body.pipe';
import { QueueRegistry } from '../queues/queue-registry';
import { TokenId, TokenTenant } from './authenticated-request';
import { BearerAuthGuard } from './bearer-auth.guard';
import { readSentEnvelope } from './sent-envelope';

/** Headers recorded with a send, minus the ones that carry credentials. */
function recordedHeaders(request: FastifyRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined) continue;
    headers[name] =
      name === 'authorization' ? 'Bearer [redacted]' : Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}

/**
 * The link API (smartlink-domain.md §1.5) on the wire format of `@smartlink/contract`: setup binds types to the
 * tenant queue, get hands out messages that stay invisible until acked, ack removes them, send records what the
 * client sends up. Every route needs a valid bearer token; its tenant is the queue addressed.
 */
@Controller(`${LINK_API_VERSION_PATH}${LINK_BASE_PATH}`)
@UseGuards(BearerAuthGuard)
export class LinkController {
  constructor(private readonly queues: QueueRegistry) {}

  @Post('setup')
  @HttpCode(200)
  setup(
    @TokenTenant() tenantId: string,
    @Body(new ZodBodyPipe(SetupRequestSchema)) body: SetupRequest,
  ): { tenantId: string; subscriptions: string[] } {
    // A token sets up its own tenant's queue only.
    if (body.tenants.some((t) => t !== tenantId)) {
      throw new ForbiddenException({
        error: 'forbidden',
        message: 'tenants must be the tenant of the token',
      });
    }
    this.queues.setup(tenantId, body.subscriptions);
    return { tenantId, subscriptions: body.subscriptions };
  }

  @Get('get')
  get(
    @TokenTenant() tenantId: string,
    @TokenId() tokenId: string,
    @Query(GET_MAX_PARAM) maxParam: string | undefined,
  ): GetResponse {
    // Without `max`, one message per call, the behaviour the Protheus API suggests ([I S12]).
    const max = maxParam === undefined ? 1 : Number(maxParam);
    if (!Number.isInteger(max) || max < 1 || max > MAX_GET_BATCH) {
      throw new BadRequestException({
        error: 'invalid_request',
        message: `max must be an integer 1-${MAX_GET_BATCH}`,
      });
    }
    return {
      messages: this.queues.take(tenantId, max, tokenId).map(({ message, receipt }) => ({
        receipt,
        messageId: message.id,
        body: message.body,
        enqueuedAt: new Date(message.enqueuedAt).toISOString(),
        deliveryCount: message.deliveryCount,
      })),
    };
  }

  @Post('ack')
  @HttpCode(200)
  ack(
    @TokenTenant() tenantId: string,
    @Body(new ZodBodyPipe(AckRequestSchema)) body: AckRequest,
  ): AckResponse {
    return this.queues.ack(tenantId, body.receipts);
  }

  @Post('send/:type/:audience')
  @HttpCode(200)
  send(
    @TokenTenant() tenantId: string,
    @Param('type') type: string,
    @Param('audience') audience: string,
    @Req() request: RawBodyRequest<FastifyRequest>,
  ): boolean {
    if (!isCommandName(type) || !isAudience(audience)) {
      throw new BadRequestException({ error: 'invalid_request', message: 'illegal type or audience' });
    }
    const bodyText = request.rawBody?.toString('utf8');
    if (bodyText === undefined || bodyText.length === 0) {
      throw new BadRequestException({ error: 'invalid_request', message: 'expected a JSON body' });
    }
    this.queues.recordSend({
      tenantId,
      type,
      audience,
      body: request.body,
      bodyText,
      envelope: readSentEnvelope(request.body, { type, tenantId }),
      headers: recordedHeaders(request),
    });
    // GRR reads the literal `false` as a refusal ([C P1]); the simulator accepts every well-formed send.
    return true;
  }
}
