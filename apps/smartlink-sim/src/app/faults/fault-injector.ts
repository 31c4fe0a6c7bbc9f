import type { Socket } from 'node:net';
import { Injectable, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { endpointOf } from './endpoint-of';
import type { FaultEndpoint } from './fault-config';
import { FaultPlan, type TerminalFault } from './fault-plan';
import { malformedBody } from './malformed-body';
import { RequestMetrics } from './request-metrics';

type WaitOutcome = 'elapsed' | 'closed' | 'shutdown';

/**
 * The simulator's HTTP edge: a Fastify `onRequest` hook that counts every request to a cloud endpoint and
 * applies the faults the {@link FaultPlan} picks before the endpoint sees it, and an `onResponse` hook that
 * counts statuses. Held requests (latency, timeouts) are released at shutdown so the server can close.
 */
@Injectable()
export class FaultInjector implements OnModuleInit, BeforeApplicationShutdown {
  private readonly held = new Set<() => void>();

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly plan: FaultPlan,
    private readonly metrics: RequestMetrics,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onRequest', (request, reply) => this.onRequest(request, reply));
    fastify.addHook('onResponse', async (request, reply) => {
      const endpoint = endpointOf(request.url);
      if (endpoint) this.metrics.countResponse(endpoint, reply.statusCode);
    });
  }

  beforeApplicationShutdown(): void {
    for (const release of [...this.held]) release();
  }

  private async onRequest(request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const endpoint = endpointOf(request.url);
    if (!endpoint) return undefined;
    this.metrics.countRequest(endpoint);
    const { delayMs, fault } = this.plan.decide(endpoint);
    if (delayMs > 0) {
      this.metrics.countFault(endpoint, 'latency');
      if ((await this.hold(delayMs, request.raw.socket)) !== 'elapsed') return this.drop(reply);
    }
    if (!fault) return undefined;
    this.metrics.countFault(endpoint, fault.kind);
    return this.apply(endpoint, fault, request, reply);
  }

  private async apply(
    endpoint: FaultEndpoint,
    fault: TerminalFault,
    request: FastifyRequest,
    reply: FastifyReply,
  ): Promise<FastifyReply> {
    switch (fault.kind) {
      case 'error':
        if (fault.retryAfter !== undefined) reply.header('retry-after', fault.retryAfter);
        return reply.code(fault.status).send({ error: 'simulated_error', status: fault.status });
      case 'throttle':
        return reply.code(429).header('retry-after', fault.retryAfter).send({ error: 'simulated_throttle' });
      case 'malformed':
        return reply.code(200).type('application/json').send(malformedBody(endpoint, fault.variant));
      case 'reset':
        return this.drop(reply);
      case 'timeout': {
        // Held past the client's timeout; the client gives up first, which closes the socket and ends the hold.
        const outcome = await this.hold(fault.holdMs, request.raw.socket);
        if (outcome !== 'elapsed') return this.drop(reply);
        return reply.code(504).send({ error: 'simulated_timeout' });
      }
    }
  }

  /** Ends the connection without an answer; a TCP reset where the platform allows it. */
  private drop(reply: FastifyReply): FastifyReply {
    reply.hijack();
    const socket = reply.raw.socket;
    if (socket && !socket.destroyed) {
      if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
      else socket.destroy();
    }
    return reply;
  }

  /** Waits `ms`, or less if the client goes away or the simulator shuts down. */
  private hold(ms: number, socket: Socket): Promise<WaitOutcome> {
    return new Promise<WaitOutcome>((resolve) => {
      const done = (outcome: WaitOutcome) => {
        clearTimeout(timer);
        socket.off('close', onClose);
        this.held.delete(onShutdown);
        resolve(outcome);
      };
      const onClose = () => done('closed');
      const onShutdown = () => done('shutdown');
      const timer = setTimeout(() => done('elapsed'), ms);
      socket.once('close', onClose);
      this.held.add(onShutdown);
    });
  }
}
