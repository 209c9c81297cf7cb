import {
  IS_IN,
  IS_IP,
  IS_ISO8601,
  IS_NOT_EMPTY,
  IS_OBJECT,
  IS_OPTIONAL,
  IS_STRING,
  MATCHES,
  MAX_LENGTH,
  ValidationTypes,
} from 'class-validator';
import type { ValidationMetadata } from 'class-validator/types/metadata/ValidationMetadata';
import { targetConstructorToSchema } from 'class-validator-jsonschema';
import {
  defaultConverters,
  ISchemaConverters,
  SchemaConverter,
} from 'class-validator-jsonschema/build/defaultConverters';
import { LogEvent } from '../events/log-event.dto';

/*
 * The LogEvent contract as JSON Schema, derived from the DTO's decorators at module load so the
 * two cannot drift. An event the schema accepts skips class-validator, so the schema must never
 * accept what class-validator rejects; being stricter only costs a fallback to class-validator.
 *
 * Two ways a derived schema silently loosens, both closed here at load time:
 * - a decorator whose default converter is approximate: every default is replaced by one that
 *   throws, and each decorator the DTO uses has a converter reviewed below;
 * - two decorators on one property emitting the same keyword: the library merges them and the
 *   last wins (an @IsISO8601 pattern would erase the @Matches one). Collisions throw.
 */

function unreviewed(meta: ValidationMetadata): never {
  throw new Error(
    `${(meta.target as { name?: string }).name}.${meta.propertyName}: no reviewed JSON Schema converter for @${meta.name ?? meta.type}; ` +
      'add one in src/ingest/log-event.schema.ts',
  );
}

const constraint = (meta: ValidationMetadata, i = 0): unknown =>
  (meta.constraints as unknown[] | undefined)?.[i];

const REVIEWED: ISchemaConverters = {
  [IS_STRING]: { type: 'string' },
  // JSON Schema's object excludes arrays and null, like isObject.
  [IS_OBJECT]: { type: 'object' },
  // isNotEmpty alone would also accept numbers: stricter unless the field is a string anyway.
  [IS_NOT_EMPTY]: { type: 'string', minLength: 1 },
  // validator's isLength does not count U+FE0E/U+FE0F after a character; ajv does, so a string
  // with variation selectors just over the limit falls back to class-validator.
  [MAX_LENGTH]: (meta) => ({ type: 'string', maxLength: constraint(meta) as number }),
  // The default drops the enum (accepting anything) when the values' types differ, and enum
  // compares deeply where isIn uses ===: only lists of JSON primitives convert.
  [IS_IN]: (meta) => {
    const values = constraint(meta);
    const primitive = (v: unknown) =>
      v === null || ['string', 'number', 'boolean'].includes(typeof v);
    if (!Array.isArray(values) || !values.every(primitive)) return unreviewed(meta);
    const types = [...new Set(values.map((v) => (v === null ? 'null' : typeof v)))];
    // A single type lets @IsOptional's nullable apply (ajv wants a type next to nullable).
    return types.length === 1 ? { type: types[0] as 'string', enum: values } : { enum: values };
  },
  // The default drops the flags; ajv runs patterns without the u flag, as validator does.
  [MATCHES]: (meta) => {
    const pattern = constraint(meta);
    const plain = pattern instanceof RegExp && /^g?$/.test(pattern.flags) && !constraint(meta, 1);
    return plain ? { type: 'string', pattern: pattern.source } : unreviewed(meta);
  },
  // The default is ipv4 only. validator also takes an IPv6 zone id (fe80::1%eth0), which
  // ajv-formats refuses: such an address falls back to class-validator.
  [IS_IP]: (meta) => {
    const version = constraint(meta);
    if (!version) return { type: 'string', anyOf: [{ format: 'ipv4' }, { format: 'ipv6' }] };
    if (version === 4 || version === '4') return { type: 'string', format: 'ipv4' };
    if (version === 6 || version === '6') return { type: 'string', format: 'ipv6' };
    return unreviewed(meta);
  },
  // The default (date | date-time) accepts the leap second 23:59:60Z, which isISO8601 refuses.
  // date-time checks the calendar (2025-02-30), hours, minutes and the zone; validator's grammar
  // also wants 'T' or a space between date and time, and seconds 00-59. The result is a subset of
  // isISO8601 (strict or not): its other forms (week dates, no zone) fall back to class-validator.
  [IS_ISO8601]: {
    type: 'string',
    format: 'date-time',
    allOf: [{ pattern: '^\\d{4}-\\d{2}-\\d{2}[T\\s]\\d{2}:\\d{2}:[0-5]\\d' }],
  },
  // @IsOptional skips every check when the value is null or undefined. @ValidateIf shares the
  // type, but its condition is code.
  [ValidationTypes.CONDITIONAL_VALIDATION]: (meta) =>
    meta.name === IS_OPTIONAL ? { nullable: true } : unreviewed(meta),
};

type Emitted = Record<string, unknown>;

/** JSON Schema for a class-validator DTO; throws where it could be looser than class-validator. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
export function deriveSchema(target: Function) {
  const emitted = new Map<string, Emitted[]>();
  const recorded =
    (convert: ISchemaConverters[string]): SchemaConverter =>
    (meta, options) => {
      const schema = (typeof convert === 'function' ? convert(meta, options) : convert) as Emitted;
      emitted.set(meta.propertyName, [...(emitted.get(meta.propertyName) ?? []), schema]);
      return schema;
    };
  const additionalConverters: ISchemaConverters = Object.fromEntries([
    ...Object.keys(defaultConverters).map((type): [string, SchemaConverter] => [type, unreviewed]),
    ...Object.entries(REVIEWED).map(([type, convert]): [string, SchemaConverter] => [
      type,
      recorded(convert),
    ]),
  ]);
  const schema = targetConstructorToSchema(target, { additionalConverters });

  for (const [property, schemas] of emitted) {
    const seen = new Map<string, string>();
    for (const [keyword, value] of schemas.flatMap((s) => Object.entries(s))) {
      const json = JSON.stringify(value);
      if (seen.has(keyword) && seen.get(keyword) !== json) {
        throw new Error(
          `${target.name}.${property}: two decorators set "${keyword}" and only one would be kept; ` +
            'give one of their converters in src/ingest/log-event.schema.ts another keyword',
        );
      }
      seen.set(keyword, json);
    }
  }
  // Unknown top-level fields are kept and counted by the parser (tolerant reader).
  return Object.freeze({ ...schema, additionalProperties: true });
}

export const LOG_EVENT_SCHEMA = deriveSchema(LogEvent);
