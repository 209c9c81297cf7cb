import { Injectable } from '@nestjs/common';
import { AlertSeverity } from '../../alerts/alert.enums';
import { LogEvent } from '../../ingest/log-event.dto';
import { AlertCandidate, Detector } from '../detector';

/** Any DATABASE_* code; the alert keeps the specific code so similar failures group together. */
@Injectable()
export class DatabaseErrorDetector implements Detector {
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
