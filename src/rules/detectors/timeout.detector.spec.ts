import { logEvent } from '../../../test/factories/log-event.factory';
import { AlertSeverity } from '../../alerts/alert.enums';
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
});
