import { Controller, UseFilters } from '@nestjs/common';
import { Ctx, EventPattern, KafkaContext, Payload } from '@nestjs/microservices';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter } from 'prom-client';
import { AlertsService } from '../alerts/alerts.service';
import { MESSAGES_CONSUMED } from '../metrics/metric-names';
import { RulesService } from '../rules/rules.service';
import { DeadLetterFilter } from './dead-letter.filter';
import { LogEvent } from './log-event.dto';
import { messageRef } from './message-ref';
import { ParseLogEventPipe } from './parse-log-event.pipe';

/** The pattern the configured source topic (KAFKA_TOPIC) is routed to. */
export const POS_LOGS = 'pos-logs';

@Controller()
export class IngestController {
  constructor(
    private readonly rules: RulesService,
    private readonly alerts: AlertsService,
    @InjectMetric(MESSAGES_CONSUMED) private readonly consumed: Counter<string>,
  ) {}

  /** Resolves once the outcome is durable; only then may the transport commit the offset. */
  @EventPattern(POS_LOGS)
  @UseFilters(DeadLetterFilter)
  async handle(
    @Payload(ParseLogEventPipe) event: LogEvent,
    @Ctx() ctx: KafkaContext,
  ): Promise<void> {
    const ref = messageRef(ctx, event.request_id);
    const match = this.rules.evaluate(event, ref);
    const outcome = match
      ? await this.alerts.record(event, match, ref, ctx.getMessage().value?.length)
      : 'no_match';
    this.consumed.inc({ topic: ref.topic, outcome });
  }
}
