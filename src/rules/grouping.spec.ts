import { logEvent } from '../../test/factories/log-event.factory';
import { fingerprintOf, GROUPING_VERSION } from '../events/fingerprint';
import { Detector } from './detector';
import { groupingOf } from './grouping';

const detector: Detector = {
  id: 'test-detector',
  groupBy: ['service', 'product_id'],
  detect: () => null,
};

describe(groupingOf.name, () => {
  it('is a stable hash of detector id, grouping version and the values', () => {
    const event = logEvent({ service: 'pos-demo', product_id: 'prod-42' });
    const sut = groupingOf(detector, event);
    // Pinned: a change here silently splits every open alert in production into new ones.
    expect(sut.fingerprint).toBe(fingerprintOf('test-detector', ['pos-demo', 'prod-42']));
    expect(sut.fingerprint).toBe(
      'fa7d02cf6884991eff4548e0294eac310ddcfe644314c525c7c799a866d9350f',
    );
    expect(sut.labels).toEqual({ service: 'pos-demo', product_id: 'prod-42' });
  });

  it('groups a missing field as "none", distinct from the literal value "none"', () => {
    const { product_id: _omitted, ...rest } = logEvent();
    const missing = groupingOf(detector, rest);
    expect(missing.labels.product_id).toBe('none');
    expect(groupingOf(detector, { ...rest, product_id: undefined })).toEqual(missing);
    expect(groupingOf(detector, { ...rest, product_id: 'none' }).fingerprint).not.toBe(
      missing.fingerprint,
    );
  });

  it('changes with the detector id and the grouping version', () => {
    const values = ['pos-demo', 'prod-42'];
    const base = fingerprintOf('a', values);
    expect(fingerprintOf('b', values)).not.toBe(base);
    expect(fingerprintOf('a', values, GROUPING_VERSION + 1)).not.toBe(base);
    expect(fingerprintOf('a', ['pos-demo', 'prod-4', '2'])).not.toBe(
      fingerprintOf('a', ['pos-demo', 'prod-42']),
    );
  });
});
