import { groupingOf } from '../grouping';
import { logEvent } from '../../../test/factories/log-event.factory';
import { AlertSeverity } from '../../events/alert.enums';
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
  it('groups by service + error_code', () => {
    expect(sut.id).toBe('database-error');
    expect(sut.groupBy).toEqual(['service', 'error_code']);
    const base = logEvent({ error_code: 'DATABASE_TIMEOUT' });
    const same = groupingOf(sut, { ...base, request_id: 'another', message: 'other text' });
    expect(same).toEqual(groupingOf(sut, base));
    expect(same.labels).toEqual({ service: base.service, error_code: base.error_code });
    for (const field of sut.groupBy) {
      expect(groupingOf(sut, { ...base, [field]: 'different' }).fingerprint).not.toBe(
        same.fingerprint,
      );
    }
  });
});
