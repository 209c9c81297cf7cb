import { Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { logEvent } from '../../test/factories/log-event.factory';
import { AlertSeverity } from '../events/alert.enums';
import { AlertCandidate, DETECTORS, Detector } from './detector';
import { RulesModule } from './rules.module';
import { RulesService } from './rules.service';

const ref = { topic: 'pos-logs', partition: 0, offset: '7' };
const candidate = (issueCode: string): AlertCandidate => ({
  issueCode,
  severity: AlertSeverity.INFO,
  suggestedFix: 'fix',
  confidence: 1,
});

class Always implements Detector {
  readonly id = 'always';
  readonly groupBy = ['service'] as const;
  constructor(private readonly code: string) {}
  detect = () => candidate(this.code);
}
class Never implements Detector {
  readonly id = 'never';
  readonly groupBy = [] as const;
  detect = () => null;
}
class Broken implements Detector {
  readonly id = 'broken';
  readonly groupBy = [] as const;
  detect(): AlertCandidate | null {
    throw new Error('rule bug');
  }
}

describe(RulesService.name, () => {
  it('returns the first match in registration order', () => {
    const sut = new RulesService([new Never(), new Always('FIRST'), new Always('SECOND')]);
    expect(sut.evaluate(logEvent({ service: 'pos-demo' }), ref)).toEqual({
      detector: 'always',
      candidate: candidate('FIRST'),
      fingerprint: expect.stringMatching(/^[0-9a-f]{64}$/),
      groupLabels: { service: 'pos-demo' },
    });
  });

  it('returns null when no detector matches', () => {
    expect(new RulesService([new Never(), new Never()]).evaluate(logEvent(), ref)).toBeNull();
  });

  it('logs a throwing detector by name and still asks the others', () => {
    const error = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    const sut = new RulesService([new Broken(), new Always('AFTER')]);
    expect(sut.evaluate(logEvent(), ref)?.candidate.issueCode).toBe('AFTER');
    expect(error).toHaveBeenCalledWith(expect.objectContaining({ detector: 'broken', ...ref }));
    error.mockRestore();
  });

  it('is wired with every detector of the rule table', async () => {
    const moduleRef = await Test.createTestingModule({ imports: [RulesModule] }).compile();
    const sut = moduleRef.get(RulesService);
    const all = moduleRef.get<Detector[]>(DETECTORS);
    expect(all).toHaveLength(4);
    // Ids are part of every fingerprint: unique, and stable across renames of the classes.
    expect(all.map((d) => d.id)).toEqual([
      'price-missing',
      'invalid-order',
      'database-error',
      'timeout',
    ]);
    const expected: Array<[string, string | null, AlertSeverity | null]> = [
      ['PRICE_MISSING', 'PRICE_MISSING', AlertSeverity.CRITICAL],
      ['DATABASE_CONNECTION_LOST', 'DATABASE_CONNECTION_LOST', AlertSeverity.WARNING],
      ['TIMEOUT', 'TIMEOUT', AlertSeverity.INFO],
      ['INVALID_ORDER', 'INVALID_ORDER', AlertSeverity.CRITICAL],
      ['CARD_DECLINED', null, null],
    ];
    for (const [code, issueCode, severity] of expected) {
      const match = sut.evaluate(logEvent({ error_code: code }), ref);
      expect([match?.candidate.issueCode ?? null, match?.candidate.severity ?? null]).toEqual([
        issueCode,
        severity,
      ]);
    }
  });
});
