import { logEvent } from '../../../test/factories/log-event.factory';
import { AlertSeverity } from '../../alerts/alert.enums';
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
});
