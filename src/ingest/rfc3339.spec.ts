import { fullFormats } from 'ajv-formats/dist/formats';
import fc from 'fast-check';
import { RFC3339 } from '../events/log-event.dto';
import { isRfc3339DateTime } from './rfc3339';

/** ajv-formats' date-time, which this replaces in the compiled validator. */
const ajvFormats = (fullFormats['date-time'] as { validate: (s: string) => boolean }).validate;

const two = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
/** Date-time-shaped strings, each part in and out of range, in every separator and zone form. */
const dateTimeLike = fc
  .tuple(
    fc.integer({ min: 0, max: 9999 }).map((y) => String(y).padStart(4, '0')),
    two(19),
    two(39),
    fc.constantFrom('T', 't', ' ', '_'),
    two(29),
    two(69),
    two(69),
    fc.oneof(
      fc.constantFrom('', '.', ',5'),
      fc.stringMatching(/^\.\d{1,20}$/),
      fc.integer({ min: 1, max: 20 }).map((n) => `.${'9'.repeat(n)}`),
    ),
    fc.constantFrom('Z', 'z', '', '+01:00', '-05:30', '+0100', '+01', '+24:00', '-05:60', '+23:59'),
  )
  .map((parts) => parts.join(''));
const anyString = fc.oneof(
  { weight: 4, arbitrary: dateTimeLike },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  // one unit of a valid date-time replaced by anything
  {
    weight: 2,
    arbitrary: fc
      .tuple(
        fc.date({ min: new Date('1970-01-01'), max: new Date('9999-12-31'), noInvalidDate: true }),
        fc.nat(23),
        fc.string({ maxLength: 1 }),
      )
      .map(([d, at, c]) => {
        const s = d.toISOString();
        return s.slice(0, at) + c + s.slice(at + 1);
      }),
  },
);

describe(isRfc3339DateTime.name, () => {
  it('never accepts what ajv-formats refuses', () => {
    fc.assert(
      fc.property(anyString, (s) => !isRfc3339DateTime(s) || ajvFormats(s)),
      { numRuns: 5000 },
    );
  });

  it('gives the same verdict as ajv-formats on strings of the RFC 3339 pattern, leap seconds aside', () => {
    // ajv-formats takes a leap second (23:59:60 UTC); the schema's other pattern refuses it.
    const leapSecond = (s: string) => s.slice(17, 19) === '60';
    fc.assert(
      fc.property(
        anyString.filter((s) => RFC3339.test(s) && !leapSecond(s)),
        (s) => isRfc3339DateTime(s) === ajvFormats(s),
      ),
      { numRuns: 2000 },
    );
  });

  it.each([
    ['2026-11-29T02:49:09.354Z', true],
    ['2024-02-29T23:59:59+14:00', true],
    ['2026-11-29T02:49:09-05:30', true],
    ['2025-02-29T00:00:00Z', false], // not a leap year
    ['1900-02-29T00:00:00Z', false], // a century, not a leap year
    ['2000-02-29T00:00:00Z', true], // a fourth century
    ['2026-04-31T00:00:00Z', false],
    ['2026-11-29T24:00:00Z', false],
    ['2026-11-29T23:59:60Z', false], // the leap second isISO8601 refuses
    ['2026-11-29T02:49:09.Z', false],
    ['2026-11-29T02:49:09.354', false], // no zone
    ['2026-11-29T02:49:09Z ', false],
    ['2026-11-29T02:49:09+05:3', false],
    ['2026-11-29T02:49:0', false],
    ['2017-01-01T00:59:60+01:00', false], // a leap second ajv-formats accepts
    ['2026-11-29T10:00:59.999999999Z', true],
    ['2026-11-29T10:00:59.9999999999999999Z', false], // ajv-formats reads the seconds as 60
  ])('%s: %s', (s, expected) => {
    expect(isRfc3339DateTime(s)).toBe(expected);
  });
});
