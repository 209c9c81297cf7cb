const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const ZERO = 48;
const [DASH, COLON, DOT, PLUS, MINUS, T, Z] = ['-', ':', '.', '+', '-', 'T', 'Z'].map((c) =>
  c.charCodeAt(0),
);

/** The number in s[from, from + width) if every unit there is an ASCII digit, else -1. */
function digits(s: string, from: number, width: number): number {
  let n = 0;
  for (let i = from; i < from + width; i++) {
    const d = s.charCodeAt(i) - ZERO;
    if (!(d >= 0 && d <= 9)) return -1; // NaN past the end, too
    n = n * 10 + d;
  }
  return n;
}

const isLeapYear = (year: number) => year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);

/**
 * `YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)` naming a real calendar day and time of day,
 * the only form the ingest API emits. The compiled validator's `date-time` format, instead of
 * ajv-formats' (a split and two regex matches per event, a measurable share of the consumer's
 * garbage): it accepts a subset of what that one accepts (no lowercase t or z, no space, no zone
 * without a colon, no leap second, at most 9 fraction digits), and within the DTO's RFC 3339
 * pattern exactly the same strings but leap seconds, which the schema's other pattern refuses
 * anyway. Anything else falls back to class-validator, which decides.
 */
export function isRfc3339DateTime(s: string): boolean {
  const n = s.length;
  if (n < 20) return false;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  if (year < 0 || s.charCodeAt(4) !== DASH || s.charCodeAt(7) !== DASH) return false;
  if (month < 1 || month > 12 || day < 1) return false;
  if (day > (month === 2 && isLeapYear(year) ? 29 : DAYS_IN_MONTH[month])) return false;
  if (s.charCodeAt(10) !== T) return false;
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (s.charCodeAt(13) !== COLON || s.charCodeAt(16) !== COLON) return false;
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
    return false;
  }
  let at = 19;
  if (s.charCodeAt(at) === DOT) {
    const start = ++at;
    while (at < n && digits(s, at, 1) >= 0) at++;
    // At most 9 digits, as the DTO's pattern: ajv-formats reads 59.9999999999999999 as 60.
    if (at === start || at - start > 9) return false;
  }
  const zone = s.charCodeAt(at);
  if (zone === Z) return at + 1 === n;
  if (zone !== PLUS && zone !== MINUS) return false;
  if (at + 6 !== n || s.charCodeAt(at + 3) !== COLON) return false;
  const zoneHour = digits(s, at + 1, 2);
  const zoneMinute = digits(s, at + 4, 2);
  return zoneHour >= 0 && zoneHour <= 23 && zoneMinute >= 0 && zoneMinute <= 59;
}
