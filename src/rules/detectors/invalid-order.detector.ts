import { Injectable } from '@nestjs/common';
import { AlertSeverity } from '../../alerts/alert.enums';
import { LogEvent } from '../../ingest/log-event.dto';
import { AlertCandidate, Detector } from '../detector';

@Injectable()
export class InvalidOrderDetector implements Detector {
  detect(event: LogEvent): AlertCandidate | null {
    if (event.error_code !== 'INVALID_ORDER') return null;
    return {
      issueCode: 'INVALID_ORDER',
      severity: AlertSeverity.CRITICAL,
      suggestedFix: 'Validate order structure',
      confidence: 1.0,
    };
  }
}
