import { encode, logEvent } from '../../test/factories/log-event.factory';
import { KafkaConfig } from '../config/configuration';
import { InvalidEventError, InvalidEventReason } from './invalid-event.error';
import { LogEventParser } from './log-event.parser';

const config = { maxMessageBytes: 64 * 1024 } as KafkaConfig;
const sut = new LogEventParser(config);

function reasonFor(value: Buffer | null): InvalidEventReason | 'ok' {
  try {
    sut.parse(value);
    return 'ok';
  } catch (err) {
    if (err instanceof InvalidEventError) return err.reason;
    throw err;
  }
}

const REQUIRED = [
  'request_id',
  'service',
  'error_code',
  'message',
  'log_level',
  'timestamp',
] as const;

describe(LogEventParser.name, () => {
  it('decodes a valid event as its plain JSON, with no copy onto the class', () => {
    const event = logEvent();
    const { event: result, unknownFields } = sut.parse(encode(event));
    expect(result).toEqual(event);
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(unknownFields).toEqual([]);
  });

  it('keeps fields a producer adds, and reports them (tolerant reader)', () => {
    const event = { ...logEvent(), firmware: '4.2.1', store: { id: 7 } };
    const { event: result, unknownFields } = sut.parse(encode(event));
    expect({ ...result }).toEqual(event);
    expect(unknownFields).toEqual(['firmware', 'store']);
  });

  it('stays strict on the types of known fields next to unknown ones', () => {
    expect(reasonFor(encode({ ...logEvent(), firmware: '4.2.1', service: 42 }))).toBe(
      InvalidEventReason.SCHEMA_VIOLATION,
    );
  });

  it('accepts JSON 32 levels deep (the event is level 1), rejects 33', () => {
    const nest = (levels: number) => {
      let v: object = { leaf: true };
      for (let i = 1; i < levels; i++) v = { v };
      return v;
    };
    // the event object itself is level 1
    expect(reasonFor(encode({ ...logEvent(), additional_context: nest(31) }))).toBe('ok');
    expect(reasonFor(encode({ ...logEvent(), additional_context: nest(32) }))).toBe(
      InvalidEventReason.SCHEMA_VIOLATION,
    );
  });

  it.each(['__proto__', 'constructor', 'prototype'])('rejects a nested %s key', (key) => {
    const raw = `{"a": {"${key}": {"polluted": true}}}`;
    const value = encode(logEvent()).toString().replace(/}$/, `, "additional_context": ${raw}}`);
    expect(reasonFor(Buffer.from(value))).toBe(InvalidEventReason.SCHEMA_VIOLATION);
  });

  it('accepts an event with only the required fields', () => {
    const minimal = Object.fromEntries(REQUIRED.map((k) => [k, logEvent()[k]]));
    expect(reasonFor(encode(minimal))).toBe('ok');
  });

  it.each(REQUIRED)('rejects an event without %s, naming the field', (field) => {
    const { [field]: _dropped, ...rest } = logEvent();
    expect(() => sut.parse(encode(rest))).toThrow(
      expect.objectContaining({
        reason: InvalidEventReason.SCHEMA_VIOLATION,
        message: expect.stringContaining(field),
      }),
    );
  });

  it.each([
    ['request_id', 42],
    ['service', ''],
    ['error_code', null],
    ['message', { text: 'x' }],
    ['log_level', 'loud'],
    ['timestamp', 1732000000],
    ['user_id', 7],
    ['additional_context', 'not an object'],
    ['additional_context', [1, 2]],
    ['source_ip', '999.1.1.1'],
    ['event_id', ''],
    ['event_id', 12],
  ])('rejects %s = %j', (field, value) => {
    expect(reasonFor(encode({ ...logEvent(), [field]: value }))).toBe(
      InvalidEventReason.SCHEMA_VIOLATION,
    );
  });

  it.each([
    'yesterday',
    '2025-11-18',
    '2025-11-18T19:00:00',
    '2025-02-30T10:00:00Z',
    '0000-01-01T00:00:00Z',
    '99999-01-01T00:00:00Z',
  ])('rejects timestamp %s', (timestamp) => {
    expect(reasonFor(encode({ ...logEvent(), timestamp }))).toBe(
      InvalidEventReason.SCHEMA_VIOLATION,
    );
  });

  it.each([
    '2025-11-18T19:00:00Z',
    '2025-11-18T19:00:00.123+02:00',
    '2025-11-18T19:00:00.123456789Z',
  ])('accepts timestamp %s', (timestamp) => {
    expect(reasonFor(encode({ ...logEvent(), timestamp }))).toBe('ok');
  });

  describe('with the compiled schema in front of class-validator', () => {
    it('does not count events both accept', () => {
      const parser = new LogEventParser(config);
      for (let i = 0; i < 5; i++) parser.parse(encode(logEvent()));
      expect(parser.validatorDisagreements).toBe(0);
    });

    it('accepts, and counts, an event only the schema refuses (class-validator decides)', () => {
      const parser = new LogEventParser(config);
      // validator accepts an IPv6 zone id; ajv-formats' ipv6 does not (see log-event.schema.ts)
      const event = logEvent({ source_ip: 'fe80::1%eth0' });
      const { event: result } = parser.parse(encode(event));
      expect({ ...result }).toEqual(event);
      expect(parser.validatorDisagreements).toBe(1);
    });

    it("words a refusal with class-validator's messages", () => {
      expect(() => sut.parse(encode({ ...logEvent(), timestamp: '2025-11-18T23:59:60Z' }))).toThrow(
        expect.objectContaining({
          reason: InvalidEventReason.SCHEMA_VIOLATION,
          message: 'timestamp must be a real calendar date-time',
        }),
      );
    });
  });

  it.each<[string, Buffer | null, InvalidEventReason]>([
    ['a null value (tombstone)', null, InvalidEventReason.EMPTY_MESSAGE],
    ['an empty value', Buffer.alloc(0), InvalidEventReason.EMPTY_MESSAGE],
    ['truncated JSON', Buffer.from('{"request_id": "r'), InvalidEventReason.INVALID_JSON],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), InvalidEventReason.INVALID_ENCODING],
    ['a JSON array', Buffer.from('[1,2]'), InvalidEventReason.NOT_AN_OBJECT],
    ['a JSON string', Buffer.from('"PRICE_MISSING"'), InvalidEventReason.NOT_AN_OBJECT],
    ['JSON null', Buffer.from('null'), InvalidEventReason.NOT_AN_OBJECT],
    [
      'a value over the size limit',
      Buffer.alloc(64 * 1024 + 1, 0x20),
      InvalidEventReason.TOO_LARGE,
    ],
    [
      'a __proto__ key',
      Buffer.from(`{"__proto__": {"x": 1}, ${encode(logEvent()).toString().slice(1)}`),
      InvalidEventReason.SCHEMA_VIOLATION,
    ],
  ])('rejects %s', (_name, value, reason) => {
    expect(reasonFor(value)).toBe(reason);
  });
});
