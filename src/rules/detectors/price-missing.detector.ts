import { Injectable } from '@nestjs/common';
import { AlertSeverity } from '../../alerts/alert.enums';
import { LogEvent } from '../../ingest/log-event.dto';
import { AlertCandidate, Detector } from '../detector';

/** A product sold without a price: the till cannot total the basket. */
@Injectable()
export class PriceMissingDetector implements Detector {
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
