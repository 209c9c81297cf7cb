import { Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import { Counter } from 'prom-client';
import { MessageRef } from '../events/message-ref';
import { UNKNOWN_FIELDS } from '../metrics/metric-names';

/** Field names get their own metric label up to this many; later ones share `_other`. */
const MAX_LABELLED_FIELDS = 50;

/**
 * Fields producers add beyond the contract: kept in the event, counted, and logged once per new
 * name, so a schema change is visible without ever costing an alert. The label set is bounded:
 * field names come from producers, and an unbounded label would grow the metrics without limit.
 */
@Injectable()
export class UnknownFieldsTracker {
  private readonly logger = new Logger(UnknownFieldsTracker.name);
  private readonly seen = new Set<string>();

  constructor(@InjectMetric(UNKNOWN_FIELDS) private readonly counter: Counter<string>) {}

  record(fields: readonly string[], ref: MessageRef): void {
    for (const field of fields) {
      if (!this.seen.has(field) && this.seen.size < MAX_LABELLED_FIELDS) {
        this.seen.add(field);
        this.logger.warn({
          msg: 'event carries a field outside the contract; kept',
          field,
          ...ref,
        });
      }
      this.counter.inc({ field: this.seen.has(field) ? field : '_other' });
    }
  }
}
