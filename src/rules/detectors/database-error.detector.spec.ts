import { logEvent } from '../../../test/factories/log-event.factory';
import { AlertSeverity } from '../../alerts/alert.enums';
import { DatabaseErrorDetector } from './database-error.detector';

describe(DatabaseErrorDetector.name, () => {
  const sut = new DatabaseErrorDetector();

  it.each(['DATABASE_ERROR', 'DATABASE_TIMEOUT', 'DATABASE_'])(
    'matches %s and keeps the code',
    (code) => {
      expect(sut.detect(logEvent({ error_code: code }))).toEqual({
        issueCode: code,
        severity: AlertSeverity.WARNING,
        suggestedFix: 'Verify database connection',
        confidence: 1,
      });
    },
  );

  it.each(['DATABASE', 'database_error', 'NO_DATABASE_ERROR', 'TIMEOUT'])('ignores %s', (code) => {
    expect(sut.detect(logEvent({ error_code: code }))).toBeNull();
  });
});
