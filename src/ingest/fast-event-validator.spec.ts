import { IsEmail, IsString, Matches, validateSync, ValidateIf } from 'class-validator';
import fc from 'fast-check';
import { ALERT_CODES, logEvent, QUIET_CODES } from '../../test/factories/log-event.factory';
import {
  POISON_CORPUS,
  POISON_MAX_MESSAGE_BYTES,
  TOLERATED_CORPUS,
} from '../../test/poison/corpus';
import { LOG_EVENT_FIELDS as KNOWN, LOG_LEVELS, LogEvent } from '../events/log-event.dto';
import { FastEventValidator } from './fast-event-validator';
import { FORBIDDEN_KEYS, jsonShapeProblem } from './json-shape';
import { deriveSchema } from './log-event.schema';
import { MAX_JSON_DEPTH } from './log-event.parser';

const sut = new FastEventValidator();
const classValidatorAccepts = (event: object) =>
  validateSync(Object.assign(new LogEvent(), event), { forbidUnknownValues: true }).length === 0;

type Event = Record<string, unknown>;
const RUNS = { numRuns: 300 };

/** Asserts both validators give `expected` (when set) and, in any case, the same verdict. */
function verdicts(event: object, expected?: boolean) {
  const fast = sut.isValid(event);
  const truth = classValidatorAccepts(event);
  if (expected !== undefined) expect(truth).toBe(expected);
  expect(fast).toBe(truth);
}

// ---- strings -------------------------------------------------------------------------------

const codePoint = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 });
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const variationSelector = fc.constantFrom('\ufe0e', '\ufe0f');
/** Anything JSON.parse can hand over, including lone surrogates and variation selectors. */
const anyUnit = fc.oneof(
  { weight: 8, arbitrary: codePoint },
  { weight: 1, arbitrary: loneSurrogate },
  { weight: 1, arbitrary: variationSelector },
);
/**
 * Characters both validators count as exactly one: no lone surrogates (two may pair up) and no
 * variation selectors (validator's isLength skips them; see "stricter corners" below).
 */
const countedUnit = codePoint.filter((c) => c !== '\ufe0e' && c !== '\ufe0f');

/** `length` units cycled from `seed`: cheap strings at the 64 KiB limit. */
const fill = (seed: string, length: number) => {
  const units = Array.from(seed);
  const whole = Math.floor(length / units.length);
  return seed.repeat(whole) + units.slice(0, length - whole * units.length).join('');
};

/**
 * Strings both must accept under @MaxLength(max): mostly short ones, sometimes at or just under
 * max (rarely: class-validator takes milliseconds over a 64 KiB message).
 */
const upTo = (max: number, minLength = 0) =>
  fc.oneof(
    { weight: 9, arbitrary: fc.string({ unit: anyUnit, minLength, maxLength: Math.min(max, 40) }) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.string({ unit: anyUnit, minLength: 1, maxLength: 4 }), fc.nat(3))
        .map(([seed, under]) => fill(seed, max - under)),
    },
  );
const overBy = (max: number) =>
  fc
    .tuple(
      fc.string({ unit: countedUnit, minLength: 1, maxLength: 4 }),
      fc.integer({ min: 1, max: 3 }),
    )
    .map(([seed, over]) => fill(seed, max + over));

// ---- the contract, field by field ----------------------------------------------------------

const pad = (n: number, width = 2) => String(n).padStart(width, '0');
const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

const timeParts = fc.record({
  year: fc.integer({ min: 1970, max: 9999 }),
  month: fc.integer({ min: 1, max: 12 }),
  day: fc.integer({ min: 1, max: 31 }),
  hour: fc.integer({ min: 0, max: 23 }),
  minute: fc.integer({ min: 0, max: 59 }),
  second: fc.integer({ min: 0, max: 59 }),
  fraction: fc.option(fc.stringMatching(/^\d{1,9}$/), { nil: '' }),
  zone: fc.oneof(
    fc.constant('Z'),
    fc
      .tuple(
        fc.constantFrom('+', '-'),
        fc.integer({ min: 0, max: 23 }),
        fc.integer({ min: 0, max: 59 }),
      )
      .map(([sign, h, m]) => `${sign}${pad(h)}:${pad(m)}`),
  ),
});
type TimeParts = typeof timeParts extends fc.Arbitrary<infer T> ? T : never;
const render = (p: TimeParts, o: Partial<Record<keyof TimeParts, string>> = {}) =>
  `${o.year ?? p.year}-${o.month ?? pad(p.month)}-${o.day ?? pad(Math.min(p.day, daysIn(p.year, p.month)))}` +
  `${o.hour === undefined ? 'T' : ''}${o.hour ?? pad(p.hour)}:${o.minute ?? pad(p.minute)}:${o.second ?? pad(p.second)}` +
  `${o.fraction ?? (p.fraction && `.${p.fraction}`)}${o.zone ?? p.zone}`;

const validTimestamp = timeParts.map((p) => render(p));
const invalidTimestamp = fc.oneof(
  // not a calendar date: 2025-02-30, 2023-02-29, 2025-04-31
  timeParts
    .filter((p) => daysIn(p.year, p.month) < 31)
    .chain((p) =>
      fc
        .integer({ min: daysIn(p.year, p.month) + 1, max: 31 })
        .map((day) => render(p, { day: pad(day) })),
    ),
  timeParts.chain((p) =>
    fc.oneof(
      fc.constantFrom('00', '32', '39').map((day) => render(p, { day })),
      fc.constantFrom('00', '13', '19').map((month) => render(p, { month })),
      fc.integer({ min: 0, max: 1969 }).map((y) => render(p, { year: pad(y, 4) })),
      fc.integer({ min: 10000, max: 99999 }).map((y) => render(p, { year: String(y) })),
      fc.constantFrom('24', '29').map((h) => render(p, { hour: `T${h}` })),
      fc.constantFrom('60', '69').map((minute) => render(p, { minute })),
      fc.constantFrom('60', '61').map((second) => render(p, { second })),
      fc.constant(render(p, { zone: '' })), // no zone
      fc.constantFrom('z', '+0100', '+01', '+24:00', '-05:60').map((zone) => render(p, { zone })),
      fc.constantFrom(`t${pad(p.hour)}`, ` ${pad(p.hour)}`).map((hour) => render(p, { hour })),
      fc.constantFrom('.1234567890', ',5', '.').map((fraction) => render(p, { fraction })),
      fc.constant(render(p).slice(0, 10)), // a date alone
    ),
  ),
  fc.constant('2025-11-18T23:59:60Z'), // the leap second RFC 3339 allows and isISO8601 does not
  fc.string({ maxLength: 30 }),
);

const octet = fc.integer({ min: 0, max: 255 });
const invalidIp = fc.oneof(
  fc
    .tuple(fc.tuple(octet, octet, octet, octet), fc.integer({ min: 256, max: 999 }), fc.nat(3))
    .map(([octets, big, at]) => octets.map((o, i) => (i === at ? big : o)).join('.')),
  fc.tuple(octet, octet, octet).map((o) => o.join('.')),
  fc
    .tuple(fc.ipV4(), fc.integer({ min: 0, max: 9 }))
    .map(([ip, d]) => ip.replace(/^(\d+)/, `0${d}$1`)),
  fc.ipV6().map((ip) => `${ip}:1:2:3:4:5:6:7:8`),
  fc.ipV6().map((ip) => `${ip}g`),
  fc.string({ maxLength: 20 }).filter((s) => !/^[\d.:a-fA-F%]*$/.test(s) || s === ''),
);
const validIp = fc.oneof(
  fc.ipV4(),
  fc.ipV6(),
  fc.ipV6().map((ip) => ip.toUpperCase()),
);

const json = fc.jsonValue({ maxDepth: 2 });
const context = fc.dictionary(fc.string({ maxLength: 8 }), json, { maxKeys: 4 });
const nonString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.array(json, { maxLength: 2 }),
  context,
);

const REQUIRED_STRINGS = { request_id: 256, service: 128, error_code: 128 } as const;
const OPTIONAL_STRINGS = {
  user_id: 256,
  session_id: 256,
  order_id: 256,
  product_id: 256,
  endpoint: 2048,
} as const;

const optional = <T>(arb: fc.Arbitrary<T>) =>
  fc.option(fc.oneof({ weight: 5, arbitrary: arb }, { weight: 1, arbitrary: fc.constant(null) }), {
    nil: undefined,
  });
const unknownKey = fc
  .string({ minLength: 1, maxLength: 12 })
  .filter((k) => !KNOWN.has(k) && !FORBIDDEN_KEYS.includes(k));
const withoutUndefined = (o: Event) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const validEvent: fc.Arbitrary<Event> = fc
  .record({
    request_id: upTo(REQUIRED_STRINGS.request_id, 1),
    service: upTo(REQUIRED_STRINGS.service, 1),
    error_code: upTo(REQUIRED_STRINGS.error_code, 1),
    message: upTo(64 * 1024),
    log_level: fc.constantFrom(...LOG_LEVELS),
    timestamp: validTimestamp,
    user_id: optional(upTo(OPTIONAL_STRINGS.user_id)),
    session_id: optional(upTo(OPTIONAL_STRINGS.session_id)),
    order_id: optional(upTo(OPTIONAL_STRINGS.order_id)),
    product_id: optional(upTo(OPTIONAL_STRINGS.product_id)),
    endpoint: optional(upTo(OPTIONAL_STRINGS.endpoint)),
    additional_context: optional(context),
    source_ip: optional(validIp),
    event_id: optional(upTo(256, 1)),
    extra: fc.dictionary(unknownKey, json, { maxKeys: 3 }),
  })
  .map(({ extra, ...known }) => withoutUndefined({ ...extra, ...known }));

/** One broken field on an otherwise valid event. */
const breakage: fc.Arbitrary<[string, unknown]> = fc.oneof(
  ...Object.entries(REQUIRED_STRINGS).map(([field, max]) =>
    fc.tuple(
      fc.constant(field),
      fc.oneof(nonString, fc.constant(null), fc.constant(undefined), fc.constant(''), overBy(max)),
    ),
  ),
  fc.tuple(
    fc.constant('message'),
    fc.oneof(nonString, fc.constant(null), fc.constant(undefined), overBy(64 * 1024)),
  ),
  fc.tuple(
    fc.constant('log_level'),
    fc.oneof(
      nonString,
      fc.constant(null),
      fc.constant(undefined),
      fc.constantFrom(...LOG_LEVELS).map((l) => l.toUpperCase()),
      fc.string().filter((s) => !LOG_LEVELS.includes(s)),
    ),
  ),
  fc.tuple(
    fc.constant('timestamp'),
    fc.oneof(invalidTimestamp, nonString, fc.constant(null), fc.constant(undefined)),
  ),
  ...Object.entries(OPTIONAL_STRINGS).map(([field, max]) =>
    fc.tuple(fc.constant(field), fc.oneof(nonString, overBy(max))),
  ),
  fc.tuple(fc.constant('event_id'), fc.oneof(nonString, fc.constant(''), overBy(256))),
  fc.tuple(fc.constant('source_ip'), fc.oneof(invalidIp, nonString)),
  fc.tuple(
    fc.constant('additional_context'),
    fc.oneof(fc.string(), fc.double(), fc.boolean(), fc.array(json, { maxLength: 3 })),
  ),
);
const invalidEvent = fc
  .tuple(validEvent, breakage)
  .map(([event, [field, value]]) => withoutUndefined({ ...event, [field]: value }));

/** Every known field valid, broken or absent, in any mix: agreement only, no expected verdict. */
const anyEvent = fc
  .tuple(validEvent, fc.array(breakage, { maxLength: 4 }), fc.array(fc.constantFrom(...KNOWN)))
  .map(([event, broken, dropped]) => {
    const result: Event = { ...event, ...Object.fromEntries(broken) };
    for (const field of dropped) delete result[field];
    return withoutUndefined(result);
  });

// ---- specs ---------------------------------------------------------------------------------

describe(FastEventValidator.name, () => {
  it('accepts every generated valid event, as class-validator does', () => {
    fc.assert(
      fc.property(validEvent, (event) => verdicts(event, true)),
      RUNS,
    );
  });

  it('rejects every generated invalid event, as class-validator does', () => {
    fc.assert(
      fc.property(invalidEvent, (event) => verdicts(event, false)),
      RUNS,
    );
  });

  it('agrees with class-validator on events with any mix of valid, broken and missing fields', () => {
    fc.assert(
      fc.property(anyEvent, (event) => verdicts(event)),
      RUNS,
    );
  });

  it("agrees with class-validator on the factory's events", () => {
    for (const code of [...ALERT_CODES, ...QUIET_CODES]) {
      for (let i = 0; i < 20; i++) verdicts(logEvent({ error_code: code }), true);
    }
  });

  describe('on the poison corpus', () => {
    const utf8 = new TextDecoder('utf-8', { fatal: true });
    /** The corpus cases the parser hands to validation: the rest fail earlier checks. */
    const reachingValidation = POISON_CORPUS.flatMap((c) => {
      if (c.value === null) return [];
      const bytes = typeof c.value === 'string' ? Buffer.from(c.value) : c.value;
      if (bytes.length === 0 || bytes.length > POISON_MAX_MESSAGE_BYTES) return [];
      try {
        const parsed: unknown = JSON.parse(utf8.decode(bytes));
        if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return [];
        if (jsonShapeProblem(parsed, MAX_JSON_DEPTH)) return [];
        return [[c.name, parsed as Event] as const];
      } catch {
        return [];
      }
    });

    it('has cases that reach validation', () => {
      expect(reachingValidation.length).toBeGreaterThan(30);
    });

    it.each(reachingValidation)('agrees on %s', (_name, event) => verdicts(event));

    it.each(TOLERATED_CORPUS.map((c) => [c.name, c.event] as const))(
      'accepts the tolerated %s, as class-validator does',
      (_name, event) => verdicts(event, true),
    );
  });

  describe('stricter corners: refused here, accepted by class-validator, never the reverse', () => {
    const base = logEvent();

    it('an IPv6 address with a zone id (validator accepts it, ajv-formats does not)', () => {
      const zoned = fc
        .tuple(fc.ipV6(), fc.stringMatching(/^[0-9a-zA-Z.]{1,8}$/))
        .map(([ip, zone]) => ({ ...base, source_ip: `${ip}%${zone}` }));
      fc.assert(
        fc.property(zoned, (event) => {
          expect(classValidatorAccepts(event)).toBe(true);
          expect(sut.isValid(event)).toBe(false);
        }),
        { numRuns: 50 },
      );
    });

    it('a variation selector at @MaxLength (isLength skips it, ajv counts it)', () => {
      // One selector after a character: 129 code points to ajv, 128 characters to isLength.
      const overTheLine = { ...base, service: 'x'.repeat(128) + '\ufe0f' };
      expect(classValidatorAccepts(overTheLine)).toBe(true);
      expect(sut.isValid(overTheLine)).toBe(false);
    });

    it('is never looser, over strings full of variation selectors and lone surrogates', () => {
      const unit = fc.oneof(anyUnit, variationSelector, loneSurrogate);
      const dense = fc
        .tuple(
          fc.constantFrom(...Object.keys(REQUIRED_STRINGS), ...Object.keys(OPTIONAL_STRINGS)),
          fc.string({ unit, minLength: 120, maxLength: 300 }),
        )
        .map(([field, value]) => ({ ...base, [field]: value }));
      fc.assert(
        fc.property(dense, (event) => !sut.isValid(event) || classValidatorAccepts(event)),
        RUNS,
      );
    });
  });
});

describe(deriveSchema.name, () => {
  it('derives one property per DTO field, the required ones required, others allowed', () => {
    const schema = deriveSchema(LogEvent);
    expect(new Set(Object.keys(schema.properties ?? {}))).toEqual(KNOWN);
    expect(schema.required).toEqual([
      'request_id',
      'service',
      'error_code',
      'message',
      'log_level',
      'timestamp',
    ]);
    expect(schema.additionalProperties).toBe(true);
  });

  it('refuses a decorator without a reviewed converter', () => {
    class WithEmail {
      @IsEmail() contact: string;
    }
    expect(() => deriveSchema(WithEmail)).toThrow(/WithEmail\.contact: no reviewed .* @isEmail/);
  });

  it('refuses two decorators that would overwrite each other (the last would win)', () => {
    class TwoPatterns {
      @IsString() @Matches(/^a/) @Matches(/b$/) code: string;
    }
    expect(() => deriveSchema(TwoPatterns)).toThrow(
      /TwoPatterns\.code: two decorators set "pattern"/,
    );
  });

  it('refuses @ValidateIf, whose condition is code', () => {
    class Conditional {
      @ValidateIf((o: Conditional) => o.code !== 'x') @IsString() code: string;
    }
    expect(() => deriveSchema(Conditional)).toThrow(/no reviewed .* @conditionalValidation/);
  });

  it('refuses a case-insensitive @Matches (the schema cannot carry flags)', () => {
    class Insensitive {
      @Matches(/^abc$/i) code: string;
    }
    expect(() => deriveSchema(Insensitive)).toThrow(/Insensitive\.code: no reviewed .* @matches/);
  });
});
