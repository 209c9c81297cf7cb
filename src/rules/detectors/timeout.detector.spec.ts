import { groupingOf } from '../grouping';
import { logEvent } from '../../../test/factories/log-event.factory';
import { AlertSeverity } from '../../events/alert.enums';
import { TimeoutDetector } from './timeout.detector';

describe(TimeoutDetector.name, () => {
  const sut = new TimeoutDetector();

  it('matches TIMEOUT', () => {
    expect(sut.detect(logEvent({ error_code: 'TIMEOUT' }))).toEqual({
      issueCode: 'TIMEOUT',
      severity: AlertSeverity.INFO,
      suggestedFix: 'Monitor system performance',
      confidence: 1,
    });
  });

  it.each(['TIMEOUT_X', 'timeout', 'CARD_DECLINED'])('ignores %s', (code) => {
    expect(sut.detect(logEvent({ error_code: code }))).toBeNull();
  });
  it('groups by service + endpoint', () => {
    expect(sut.id).toBe('timeout');
    expect(sut.groupBy).toEqual(['service', 'endpoint']);
    const base = logEvent({ error_code: 'TIMEOUT' });
    const same = groupingOf(sut, { ...base, request_id: 'another', message: 'other text' });
    expect(same).toEqual(groupingOf(sut, base));
    expect(same.labels).toEqual({ service: base.service, endpoint: base.endpoint });
    for (const field of sut.groupBy) {
      expect(groupingOf(sut, { ...base, [field]: 'different' }).fingerprint).not.toBe(
        same.fingerprint,
      );
    }
  });
});
