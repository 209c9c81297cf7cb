import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter } from 'prom-client';
import { databaseConfig, DatabaseConfig } from '../config/configuration';
import { LogEvent } from '../ingest/log-event.dto';
import { MessageRef } from '../ingest/message-ref';
import { Match } from '../rules/rules.service';
import { ALERTS_CREATED, ALERTS_DUPLICATE } from '../metrics/metric-names';
import { AlertBatchWriter } from './alert-batch-writer';
import { buildAlert } from './alert.builder';

export type RecordOutcome = 'created' | 'duplicate';

@Injectable()
export class AlertsService {
  private readonly logger = new Logger(AlertsService.name);

  constructor(
    private readonly writer: AlertBatchWriter,
    @Inject(databaseConfig.KEY) private readonly config: DatabaseConfig,
    @InjectMetric(ALERTS_CREATED) private readonly created: Counter<string>,
    @InjectMetric(ALERTS_DUPLICATE) private readonly duplicates: Counter<string>,
  ) {}

  /**
   * Durably stores the alert for this event; resolves only once Postgres has it (or already had
   * it), which is what lets the caller's offset be committed.
   */
  async record(
    event: LogEvent,
    match: Match,
    ref: MessageRef,
    receivedBytes?: number,
  ): Promise<RecordOutcome> {
    const alert = buildAlert(event, match.candidate, ref, {
      maxBytes: this.config.rawLogMaxBytes,
      receivedBytes,
    });
    const inserted = await this.writer.write(alert);
    const fields = { ...ref, issue_code: alert.issueCode, severity: alert.severity };
    if (!inserted) {
      this.duplicates.inc();
      this.logger.debug({ msg: 'alert already stored for this event', ...fields });
      return 'duplicate';
    }
    this.created.inc({ issue_code: alert.issueCode, severity: alert.severity });
    this.logger.log({
      msg: 'alert created',
      alert_id: alert.id,
      detector: match.detector,
      ...fields,
    });
    return 'created';
  }
}
