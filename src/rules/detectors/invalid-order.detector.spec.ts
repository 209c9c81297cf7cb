import { groupingOf } from '../grouping';
import { logEvent } from '../../../test/factories/log-event.factory';
import { AlertSeverity } from '../../events/alert.enums';
import { InvalidOrderDetector } from './invalid-order.detector';

describe(InvalidOrderDetector.name, () => {
  const sut = new InvalidOrderDetector();

  it('matches INVALID_ORDER', () => {
    expect(sut.detect(logEvent({ error_code: 'INVALID_ORDER' }))).toEqual({
      issueCode: 'INVALID_ORDER',
      severity: AlertSeverity.CRITICAL,
      suggestedFix: 'Validate order structure',
      confidence: 1,
    });
  });

  it.each(['INVALID_ORDER_X', 'invalid_order', 'CARD_DECLINED'])('ignores %s', (code) => {
    expect(sut.detect(logEvent({ error_code: code }))).toBeNull();
  });
  it('groups by service + endpoint', () => {
    expect(sut.id).toBe('invalid-order');
    expect(sut.groupBy).toEqual(['service', 'endpoint']);
    const base = logEvent({ error_code: 'INVALID_ORDER' });
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
