import { logEvent } from '../../test/factories/log-event.factory';
import { AlertSeverity, AlertStatus } from '../events/alert.enums';
import { Match } from '../events/match';
import { ExistingAlert, overflowFingerprint, planTargets, PlanOptions } from './alert-targets';
import { PreparedOccurrence } from './occurrence-input';

const HOUR = 3_600_000;
const now = Date.parse('2026-11-28T12:00:00Z');

function occurrence(
  fingerprint: string,
  eventTime: number,
  detector = 'price-missing',
): PreparedOccurrence {
  const match: Match = {
    detector,
    fingerprint,
    groupLabels: { service: 'pos-demo' },
    candidate: {
      issueCode: 'PRICE_MISSING',
      severity: AlertSeverity.CRITICAL,
      suggestedFix: 'fix',
      confidence: 1,
    },
  };
  const event = logEvent({ timestamp: new Date(eventTime).toISOString() });
  return {
    eventId: `${fingerprint}-${eventTime}-${Math.random()}`,
    eventTime,
    input: { event, ref: { topic: 't', partition: 0, offset: '1' }, receivedBytes: 1, match },
  };
}

const existing = (fp: string, status: AlertStatus, resolvedAt?: number): ExistingAlert => ({
  id: `alert-${fp}`,
  fingerprint: fp,
  status,
  resolvedAt: resolvedAt === undefined ? null : new Date(resolvedAt),
});

const options = (over: Partial<PlanOptions> = {}): PlanOptions => ({
  reopenWindowMs: 24 * HOUR,
  now,
  admitNew: () => true,
  ...over,
});

function plan(
  events: PreparedOccurrence[],
  current: ExistingAlert[] = [],
  opts: Partial<PlanOptions> = {},
) {
  const groups = new Map<string, PreparedOccurrence[]>();
  for (const e of events) {
    const fp = e.input.match.fingerprint;
    groups.set(fp, [...(groups.get(fp) ?? []), e]);
  }
  return planTargets(groups, new Map(current.map((a) => [a.fingerprint, a])), options(opts));
}

describe(planTargets.name, () => {
  it('opens one alert per new fingerprint, with every event of the batch on it', () => {
    const targets = plan([occurrence('a', now), occurrence('a', now + 1), occurrence('b', now)]);
    expect(targets.map((t) => [t.kind, t.fingerprint, t.occurrences.length])).toEqual([
      ['insert', 'a', 2],
      ['insert', 'b', 1],
    ]);
  });

  it.each([AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED])(
    'counts on an %s alert without changing its status',
    (status) => {
      const [t] = plan([occurrence('a', now)], [existing('a', status)]);
      expect([t.kind, t.alertId]).toEqual(['update', 'alert-a']);
    },
  );

  it('reopens a resolved alert for a newer event within the reopen window', () => {
    const [t] = plan([occurrence('a', now)], [existing('a', AlertStatus.RESOLVED, now - HOUR)]);
    expect([t.kind, t.alertId]).toEqual(['reopen', 'alert-a']);
  });

  it('opens a new alert after the window; the old one stays resolved', () => {
    const [t] = plan(
      [occurrence('a', now)],
      [existing('a', AlertStatus.RESOLVED, now - 25 * HOUR)],
    );
    expect(t.kind).toBe('insert');
    expect(t.alertId).not.toBe('alert-a');
  });

  it('counts a late event (before the resolution) on the resolved alert without reopening it', () => {
    const resolvedAt = now - HOUR;
    const [t] = plan(
      [occurrence('a', resolvedAt - 1000)],
      [existing('a', AlertStatus.RESOLVED, resolvedAt)],
    );
    expect([t.kind, t.alertId]).toEqual(['late', 'alert-a']);
  });

  it('folds new fingerprints into one overflow alert per detector once the storm guard says no', () => {
    let admitted = 0;
    const targets = plan([occurrence('a', now), occurrence('b', now), occurrence('c', now)], [], {
      admitNew: () => admitted++ < 1,
    });
    expect(
      targets.map((t) => [t.kind, t.overflow, t.foldedFingerprints, t.occurrences.length]),
    ).toEqual([
      ['insert', false, [], 1],
      ['insert', true, ['b', 'c'], 2],
    ]);
    expect(targets[1].fingerprint).toBe(overflowFingerprint('price-missing'));
    expect(targets[1].match.groupLabels).toEqual({ overflow: 'true', detector: 'price-missing' });
  });

  it('never asks the storm guard about problems that already have an alert', () => {
    const admitNew = jest.fn(() => false);
    const [t] = plan([occurrence('a', now)], [existing('a', AlertStatus.OPEN)], { admitNew });
    expect(t.kind).toBe('update');
    expect(admitNew).not.toHaveBeenCalled();
  });
});
