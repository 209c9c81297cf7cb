import { Injectable } from '@nestjs/common';
import { AlertSeverity } from '../../events/alert.enums';
import { LogEvent } from '../../events/log-event.dto';
import { AlertCandidate, Detector, GroupField } from '../detector';

@Injectable()
export class TimeoutDetector implements Detector {
  readonly id = 'timeout';
  /** One problem per slow endpoint and service. */
  readonly groupBy: readonly GroupField[] = ['service', 'endpoint'];

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
