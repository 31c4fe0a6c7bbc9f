import { timingSafeEqual } from 'node:crypto';
import {
  BadRequestException,
  Body,
  Controller,
  Headers,
  HttpCode,
  Inject,
  Post,
  UnauthorizedException,
} from '@nestjs/common';
import { REDRIVE_SETTINGS } from '../retry-scheduler.tokens';
import type { RedriveHttpSettings } from '../retry-scheduler-settings';
import { parseRedriveRequest } from './redrive-request';
import { Redriver, type RedriveResult } from './redriver';

/**
 * `POST /redrive`: puts dead messages back into execution (see {@link Redriver}), e.g.
 * `{"command": "DemoInvoiceIssued", "by": "alice", "reason": "segment fixed"}`. Answers with what was redriven.
 * The caller must send `Authorization: Bearer <REDRIVE_HTTP_TOKEN>`.
 */
@Controller('redrive')
export class RedriveController {
  constructor(
    private readonly redriver: Redriver,
    @Inject(REDRIVE_SETTINGS) private readonly settings: RedriveHttpSettings,
  ) {}

  @Post()
  @HttpCode(200)
  async redrive(
    @Body() body: unknown,
    @Headers('authorization') authorization: string | undefined,
  ): Promise<RedriveResult> {
    this.authorize(authorization);
    const parsed = parseRedriveRequest(body ?? {}, 'http');
    if (!parsed.ok) throw new BadRequestException(`Invalid redrive request: ${parsed.problem}`);
    return this.redriver.redrive(parsed.request);
  }

  private authorize(authorization: string | undefined): void {
    const expected = Buffer.from(`Bearer ${this.settings.httpToken.reveal()}`);
    const given = Buffer.from(authorization ?? '');
    // Constant time, so the answer's timing does not tell how much of a guess was right.
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new UnauthorizedException('A redrive needs Authorization: Bearer <REDRIVE_HTTP_TOKEN>');
    }
  }
}
