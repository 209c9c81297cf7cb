import { Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter, Histogram } from 'prom-client';
import {
  ALERTS_CREATED,
  ALERTS_DUPLICATE,
  ALERTS_FOLDED,
  ALERTS_REOPENED,
  DB_WRITE_SECONDS,
  OCCURRENCES_COUNTED,
} from '../metrics/metric-names';
import { AlertGroupsWriter, RecordResult } from './alert-groups.writer';
import { OccurrenceInput } from './occurrence-input';

/** Where the consume path hands alert-worthy events over: one call per batch, metered and logged once. */
@Injectable()
export class AlertsService {
  private readonly logger = new Logger(AlertsService.name);

  constructor(
    private readonly writer: AlertGroupsWriter,
    @InjectMetric(DB_WRITE_SECONDS) private readonly writeSeconds: Histogram<string>,
    @InjectMetric(ALERTS_CREATED) private readonly created: Counter<string>,
    @InjectMetric(ALERTS_REOPENED) private readonly reopened: Counter<string>,
    @InjectMetric(OCCURRENCES_COUNTED) private readonly counted: Counter<string>,
    @InjectMetric(ALERTS_DUPLICATE) private readonly duplicates: Counter<string>,
    @InjectMetric(ALERTS_FOLDED) private readonly folded: Counter<string>,
  ) {}

  /**
   * Durably records the events as occurrences of their alerts; resolves only once Postgres has
   * them (or already had them), which is what lets the caller's offsets be committed.
   */
  async record(items: OccurrenceInput[]): Promise<RecordResult> {
    const stop = this.writeSeconds.startTimer();
    let result: RecordResult;
    try {
      result = await this.writer.write(items);
    } finally {
      stop();
    }
    this.counted.inc(result.counted);
    if (result.duplicates > 0) this.duplicates.inc(result.duplicates);
    for (const a of result.opened)
      this.created.inc({ issue_code: a.issueCode, severity: a.severity });
    if (result.reopened.length > 0) this.reopened.inc(result.reopened.length);
    for (const detector of result.folding) {
      this.folded.inc({ detector });
      this.logger.warn({
        msg: 'storm guard: detector opened too many alerts this minute; folding new problems into its overflow alert',
        detector,
      });
    }
    if (result.opened.length > 0 || result.reopened.length > 0) {
      this.logger.log({
        msg: 'alerts changed',
        opened: result.opened.length,
        reopened: result.reopened.length,
        alert_ids: [...result.opened.map((a) => a.id), ...result.reopened].slice(0, 20),
        occurrences: result.counted,
      });
    }
    this.logger.debug({
      msg: 'batch recorded',
      counted: result.counted,
      duplicates: result.duplicates,
    });
    return result;
  }
}
