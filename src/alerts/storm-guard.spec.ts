import { StormGuard } from './storm-guard';

describe(StormGuard.name, () => {
  it('admits up to the cap per detector and minute, then folds, reporting it once', () => {
    const sut = new StormGuard(3);
    const folded = jest.fn();
    const t0 = 1_000_000;
    expect([1, 2, 3].map(() => sut.admit('price-missing', t0, folded))).toEqual([true, true, true]);
    expect(sut.admit('price-missing', t0 + 10, folded)).toBe(false);
    expect(sut.admit('price-missing', t0 + 20, folded)).toBe(false);
    expect(folded).toHaveBeenCalledTimes(1);
    expect(sut.admit('timeout', t0 + 20, folded)).toBe(true); // per detector
    expect(sut.admit('price-missing', t0 + 60_000, folded)).toBe(true); // next minute
  });
});

describe(`${StormGuard.name} bookkeeping`, () => {
  it('gives back admissions of a batch that rolled back', () => {
    const sut = new StormGuard(2);
    expect(sut.admit('d', 0)).toBe(true);
    expect(sut.admit('d', 0)).toBe(true);
    sut.refund('d', 2, 0);
    expect(sut.admit('d', 0)).toBe(true);
  });

  it('counts a folded fingerprint once however many batches it comes back in', () => {
    const sut = new StormGuard(1);
    expect(sut.newlyFolded('d', ['a', 'b'])).toBe(2);
    expect(sut.newlyFolded('d', ['b', 'c'])).toBe(1);
    expect(sut.newlyFolded('other', ['a'])).toBe(1);
  });
});

describe(`${StormGuard.name} rollback`, () => {
  it('forgets fingerprints folded by a batch that rolled back', () => {
    const sut = new StormGuard(1);
    expect(sut.newlyFolded('d', ['a', 'b'])).toBe(2);
    sut.forgetFolded('d', ['a', 'b']);
    expect(sut.newlyFolded('d', ['a', 'b'])).toBe(2);
  });
});
