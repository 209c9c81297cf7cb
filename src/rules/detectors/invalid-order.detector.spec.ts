import { logEvent } from '../../../test/factories/log-event.factory';
import { AlertSeverity } from '../../alerts/alert.enums';
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
});
