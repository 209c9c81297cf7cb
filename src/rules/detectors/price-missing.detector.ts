import { Injectable } from '@nestjs/common';
import { AlertSeverity } from '../../events/alert.enums';
import { LogEvent } from '../../events/log-event.dto';
import { AlertCandidate, Detector, GroupField } from '../detector';

/** A product sold without a price: the till cannot total the basket. */
@Injectable()
export class PriceMissingDetector implements Detector {
  readonly id = 'price-missing';
  /** One problem per product and service: every till that sells it reports the same missing price. */
  readonly groupBy: readonly GroupField[] = ['service', 'product_id'];

  detect(event: LogEvent): AlertCandidate | null {
    if (event.error_code !== 'PRICE_MISSING') return null;
    return {
      issueCode: 'PRICE_MISSING',
      severity: AlertSeverity.CRITICAL,
      suggestedFix: 'Check product pricing configuration',
      confidence: 1.0,
    };
  }
}
