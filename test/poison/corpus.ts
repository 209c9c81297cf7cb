import type { IHeaders } from 'kafkajs';
import { logEvent } from '../factories/log-event.factory';
import { uniqueService } from '../support/database';

/**
 * Hostile messages, one entry each, named for what they are, with the dead-letter reason the
 * service must give. Large cases are built here rather than stored as blobs. The poison spec
 * sends each one followed by a good event and runs the service with KAFKA_MAX_MESSAGE_BYTES=600000
 * and RAW_LOG_MAX_BYTES=1024.
 */
export interface PoisonCase {
  name: string;
  value: Buffer | string | null;
  headers?: IHeaders;
  reason: string;
}

export const POISON_MAX_MESSAGE_BYTES = 600_000;
export const POISON_RAW_LOG_MAX_BYTES = 1_024;
/** The service of every event in the corpus and of the good events between them. */
export const POISON_SERVICE = uniqueService('poison');

const json = (o: unknown) => JSON.stringify(o);
const valid = () => logEvent({ service: POISON_SERVICE, error_code: 'PRICE_MISSING' });
const without = (field: string) => {
  const { [field as keyof ReturnType<typeof valid>]: _dropped, ...rest } = valid();
  return json(rest);
};
const withField = (field: string, value: unknown) => json({ ...valid(), [field]: value });
const nested = (levels: number) => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;
const withRawContext = (raw: string) =>
  json(valid()).replace(/}$/, `,"additional_context":${raw}}`);

const REQUIRED = ['request_id', 'service', 'error_code', 'message', 'log_level', 'timestamp'];

const WRONG_TYPES: Array<[string, unknown]> = [
  ['request_id', 42],
  ['request_id', ''],
  ['service', ['pos-demo']],
  ['service', null],
  ['error_code', 404],
  ['error_code', { code: 'PRICE_MISSING' }],
  ['message', 12.5],
  ['message', null],
  ['log_level', 'LOUD'],
  ['log_level', 3],
  ['timestamp', 1732000000],
  ['user_id', 7],
  ['session_id', true],
  ['order_id', { id: 1 }],
  ['product_id', ['p-1']],
  ['additional_context', 'store-7'],
  ['additional_context', [1, 2, 3]],
  ['source_ip', '999.10.10.10'],
  ['source_ip', 3232235777],
  ['endpoint', 443],
];

const ABSURD_TIMESTAMPS = [
  '0000-01-01T00:00:00Z',
  '99999-01-01T00:00:00Z',
  '1969-12-31T23:59:59Z',
  '2025-13-01T00:00:00Z',
  '2025-02-30T10:00:00Z',
  '2025-11-18T19:00:00',
  '2025-11-18',
  'not a date',
];

export const POISON_CORPUS: PoisonCase[] = [
  { name: 'json-truncated', value: '{"request_id": "r-1", "serv', reason: 'INVALID_JSON' },
  { name: 'json-trailing-comma', value: '{"request_id": "r-1",}', reason: 'INVALID_JSON' },
  { name: 'json-single-quotes', value: "{'request_id': 'r-1'}", reason: 'INVALID_JSON' },
  { name: 'json-nan-literal', value: '{"confidence": NaN}', reason: 'INVALID_JSON' },
  { name: 'plain-text', value: 'PRICE_MISSING at till 4', reason: 'INVALID_JSON' },
  { name: 'whitespace-only', value: '   \n\t ', reason: 'INVALID_JSON' },
  {
    name: 'non-utf8-latin1',
    value: Buffer.from('{"message": "caf\xe9"}', 'latin1'),
    reason: 'INVALID_ENCODING',
  },
  {
    name: 'non-utf8-random-bytes',
    value: Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xff, 0xfe]),
    reason: 'INVALID_ENCODING',
  },
  {
    name: 'utf16le-with-bom',
    value: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(json(valid()), 'utf16le')]),
    reason: 'INVALID_ENCODING',
  },
  { name: 'empty-value', value: Buffer.alloc(0), reason: 'EMPTY_MESSAGE' },
  { name: 'tombstone-null-value', value: null, reason: 'EMPTY_MESSAGE' },
  { name: 'json-array', value: json([valid()]), reason: 'NOT_AN_OBJECT' },
  { name: 'json-number', value: '42', reason: 'NOT_AN_OBJECT' },
  { name: 'json-string', value: '"PRICE_MISSING"', reason: 'NOT_AN_OBJECT' },
  { name: 'json-null', value: 'null', reason: 'NOT_AN_OBJECT' },
  { name: 'json-true', value: 'true', reason: 'NOT_AN_OBJECT' },
  ...REQUIRED.map((f) => ({ name: `missing-${f}`, value: without(f), reason: 'SCHEMA_VIOLATION' })),
  ...WRONG_TYPES.map(([f, v]) => ({
    name: `wrong-type-${f}-${v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'string' && v === '' ? 'empty' : typeof v}`,
    value: withField(f, v),
    reason: 'SCHEMA_VIOLATION',
  })),
  ...ABSURD_TIMESTAMPS.map((t) => ({
    name: `timestamp-${t.replace(/\W+/g, '-')}`,
    value: withField('timestamp', t),
    reason: 'SCHEMA_VIOLATION',
  })),
  {
    name: 'message-1mb-string',
    value: withField('message', 'x'.repeat(1_000_000)),
    reason: 'TOO_LARGE',
  },
  {
    name: 'over-configured-max-size',
    value: withField('additional_context', { pad: 'y'.repeat(POISON_MAX_MESSAGE_BYTES) }),
    reason: 'TOO_LARGE',
  },
  {
    name: 'message-100kb-string',
    value: withField('message', 'z'.repeat(100_000)),
    reason: 'SCHEMA_VIOLATION',
  },
  {
    name: 'context-nested-10000-levels',
    value: withRawContext(nested(10_000)),
    reason: 'SCHEMA_VIOLATION',
  },
  {
    name: 'context-nested-40-levels',
    value: withRawContext(nested(40)),
    reason: 'SCHEMA_VIOLATION',
  },
  {
    name: 'top-level-__proto__',
    value: json(valid()).replace(/^{/, '{"__proto__": {"isAdmin": true},'),
    reason: 'SCHEMA_VIOLATION',
  },
  {
    name: 'top-level-constructor',
    value: json(valid()).replace(/^{/, '{"constructor": {"prototype": {}},'),
    reason: 'SCHEMA_VIOLATION',
  },
  {
    name: 'context-__proto__',
    value: withRawContext('{"__proto__": {"polluted": true}}'),
    reason: 'SCHEMA_VIOLATION',
  },
  {
    name: 'context-prototype',
    value: withRawContext('{"x": {"prototype": 1}}'),
    reason: 'SCHEMA_VIOLATION',
  },
  {
    name: 'binary-garbage-headers',
    value: 'garbage body',
    headers: {
      'x-trace': Buffer.from([0x00, 0xff, 0xfe, 0x80]),
      '\u0000odd': Buffer.from([0xde, 0xad]),
    },
    reason: 'INVALID_JSON',
  },
  // Valid JSON, valid schema, but Postgres refuses the jsonb: stored rows are isolated, this one parked.
  {
    name: 'nul-character-in-message',
    value: withField('message', 'price\u0000missing'),
    reason: 'UNSTORABLE',
  },
  {
    name: 'lone-surrogate-in-message',
    value: withField('message', 'price \ud800 missing'),
    reason: 'UNSTORABLE',
  },
];

/**
 * Odd but acceptable events: each must become an occurrence, never a dead letter, and be stored
 * as `stored` (the event itself, or its truncated form past RAW_LOG_MAX_BYTES).
 */
export interface ToleratedCase {
  name: string;
  event: Record<string, unknown>;
  stored: Record<string, unknown>;
}

/** The stored form of an event over POISON_RAW_LOG_MAX_BYTES: its JSON cut at `cut` bytes. */
function truncatedAt(event: object, cut: number) {
  const bytes = Buffer.from(json(event));
  return {
    truncated: true,
    original_bytes: bytes.length,
    preview: bytes.subarray(0, cut).toString('utf8'),
  };
}

/**
 * An event longer than POISON_RAW_LOG_MAX_BYTES whose message has a 4-byte emoji starting
 * `offset` bytes before the cut. The event is serialised in its contract's field order, and
 * `message` comes before any field of variable order, so the byte position is exact.
 */
function emojiAtCut(offset: number): ToleratedCase {
  const base = valid();
  const marked = json({ ...base, message: 'MARK' });
  const before = Buffer.byteLength(marked.slice(0, marked.indexOf('MARK')));
  const event = {
    ...base,
    message: `${'a'.repeat(POISON_RAW_LOG_MAX_BYTES - offset - before)}\u{1F600}${'b'.repeat(600)}`,
  };
  // A cut inside the emoji backs up to its first byte; one right after it keeps it whole.
  const cut = offset < 4 ? POISON_RAW_LOG_MAX_BYTES - offset : POISON_RAW_LOG_MAX_BYTES;
  return {
    name: `emoji-starting-${offset}-bytes-before-raw-log-cut`,
    event,
    stored: truncatedAt(event, cut),
  };
}

const tolerated = (name: string, event: Record<string, unknown>): ToleratedCase => ({
  name,
  event,
  stored: event,
});

export const TOLERATED_CORPUS: ToleratedCase[] = [
  // A producer adding a field must never cost an alert: kept in the event, counted in a metric.
  tolerated('unknown-extra-field', { ...valid(), firmware: '4.2.1' }),
  tolerated('unknown-object-field', { ...valid(), device: { model: 'T-800', slots: [1, 2] } }),
  emojiAtCut(2),
  emojiAtCut(1),
  emojiAtCut(4),
];
