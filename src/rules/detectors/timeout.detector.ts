import { Injectable } from '@nestjs/common';
import { AlertSeverity } from '../../alerts/alert.enums';
import { LogEvent } from '../../ingest/log-event.dto';
import { AlertCandidate, Detector } from '../detector';

@Injectable()
export class TimeoutDetector implements Detector {
  detect(event: LogEvent): AlertCandidate | null {
    if (event.error_code !== 'TIMEOUT') return null;
    return {
      issueCode: 'TIMEOUT',
      severity: AlertSeverity.INFO,
      suggestedFix: 'Monitor system performance',
      confidence: 1.0,
    };
  }
}
