import ms from 'ms';

/**
 * Milliseconds from `0`, a whole number of milliseconds, or an `ms` string (`30s`, `5m`, `24h`,
 * `14d`); undefined for anything else. Negative and fractional results are refused too: every
 * reader of a duration passes it to a timer or an SQL interval, where neither means anything.
 */
export function parseDuration(value: string): number | undefined {
  const text = value.trim();
  // ms() throws on an empty string instead of returning undefined like it does for other junk.
  if (text === '') return undefined;
  const millis = ms(text as ms.StringValue) as number | undefined;
  return millis !== undefined && Number.isSafeInteger(millis) && millis >= 0 ? millis : undefined;
}
