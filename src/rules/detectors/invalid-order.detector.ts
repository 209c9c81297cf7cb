import { Injectable } from '@nestjs/common';
import { AlertSeverity } from '../../events/alert.enums';
import { LogEvent } from '../../events/log-event.dto';
import { AlertCandidate, Detector, GroupField } from '../detector';

@Injectable()
export class InvalidOrderDetector implements Detector {
  readonly id = 'invalid-order';
  /** One problem per endpoint: a broken order form fails for every order sent to it. */
  readonly groupBy: readonly GroupField[] = ['service', 'endpoint'];

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
