import { Injectable } from '@nestjs/common';
import { AlertSeverity } from '../../events/alert.enums';
import { LogEvent } from '../../events/log-event.dto';
import { AlertCandidate, Detector, GroupField } from '../detector';

/** Any DATABASE_* code; the alert keeps the specific code so similar failures group together. */
@Injectable()
export class DatabaseErrorDetector implements Detector {
  readonly id = 'database-error';
  /** One problem per specific DATABASE_* code and service. */
  readonly groupBy: readonly GroupField[] = ['service', 'error_code'];

  detect(event: LogEvent): AlertCandidate | null {
    if (!event.error_code.startsWith('DATABASE_')) return null;
    return {
      issueCode: event.error_code,
      severity: AlertSeverity.WARNING,
      suggestedFix: 'Verify database connection',
      confidence: 1.0,
    };
  }
}
