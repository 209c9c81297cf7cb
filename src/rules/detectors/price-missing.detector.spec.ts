import { groupingOf } from '../grouping';
import { logEvent } from '../../../test/factories/log-event.factory';
import { AlertSeverity } from '../../events/alert.enums';
import { PriceMissingDetector } from './price-missing.detector';

describe(PriceMissingDetector.name, () => {
  const sut = new PriceMissingDetector();

  it('matches PRICE_MISSING', () => {
    expect(sut.detect(logEvent({ error_code: 'PRICE_MISSING' }))).toEqual({
      issueCode: 'PRICE_MISSING',
      severity: AlertSeverity.CRITICAL,
      suggestedFix: 'Check product pricing configuration',
      confidence: 1,
    });
  });

  it.each(['PRICE_MISSING_X', 'price_missing', 'CARD_DECLINED'])('ignores %s', (code) => {
    expect(sut.detect(logEvent({ error_code: code }))).toBeNull();
  });
  it('groups by service + product_id', () => {
    expect(sut.id).toBe('price-missing');
    expect(sut.groupBy).toEqual(['service', 'product_id']);
    const base = logEvent({ error_code: 'PRICE_MISSING' });
    const same = groupingOf(sut, { ...base, request_id: 'another', message: 'other text' });
    expect(same).toEqual(groupingOf(sut, base));
    expect(same.labels).toEqual({ service: base.service, product_id: base.product_id });
    for (const field of sut.groupBy) {
      expect(groupingOf(sut, { ...base, [field]: 'different' }).fingerprint).not.toBe(
        same.fingerprint,
      );
    }
  });
});
