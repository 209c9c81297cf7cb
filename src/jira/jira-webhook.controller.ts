import {
  Body,
  Controller,
  Headers,
  HttpCode,
  HttpStatus,
  Post,
  RawBodyRequest,
  Req,
  UnauthorizedException,
} from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { JiraWebhookService } from './jira-webhook.service';

/**
 * POST /webhooks/jira, registered in Jira with JIRA_WEBHOOK_SECRET for "Issue updated". 401 unless
 * X-Hub-Signature is the HMAC of the raw body; 204 whether or not the event changed anything, so
 * Jira does not retry what was deliberately ignored.
 */
@Controller('webhooks/jira')
export class JiraWebhookController {
  constructor(private readonly webhook: JiraWebhookService) {}

  @Post()
  @HttpCode(HttpStatus.NO_CONTENT)
  async receive(
    @Req() request: RawBodyRequest<IncomingMessage>,
    @Headers('x-hub-signature') signature: string | undefined,
    @Body() payload: unknown,
  ): Promise<void> {
    if (!this.webhook.verify(request.rawBody, signature)) {
      throw new UnauthorizedException('The webhook signature is missing or does not match.');
    }
    await this.webhook.handle(payload);
  }
}
