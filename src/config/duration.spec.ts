import { parseDuration } from './duration';

describe(parseDuration.name, () => {
  it.each([
    ['0', 0],
    ['1500', 1500],
    ['30s', 30_000],
    ['30m', 1_800_000],
    ['24h', 86_400_000],
    ['14d', 1_209_600_000],
    ['1.5h', 5_400_000],
  ])('reads %s as %i ms', (text, millis) => {
    expect(parseDuration(text)).toBe(millis);
  });

  it.each(['', ' ', 'soon', '-5m', '1.5', '5 fortnights', '1e3'])('refuses %p', (text) => {
    expect(parseDuration(text)).toBeUndefined();
  });
});
