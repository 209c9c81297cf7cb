import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { LOG_EVENT_SCHEMA } from './log-event.schema';
import { isRfc3339DateTime } from './rfc3339';

// validator (under class-validator) runs its regexes without the u flag; so must the patterns.
const ajv = new Ajv({ strict: true, unicodeRegExp: false });
// Only the formats the schema uses; date-time is ours (see rfc3339.ts), not ajv-formats'.
addFormats(ajv, ['ipv4', 'ipv6']);
ajv.addFormat('date-time', { type: 'string', validate: isRfc3339DateTime });
const validate = ajv.compile(LOG_EVENT_SCHEMA);

/**
 * The LogEvent contract compiled once from the schema derived from the DTO. Never looser than
 * class-validator, sometimes stricter (see log-event.schema.ts): "valid" is final, "invalid" is
 * for class-validator to confirm and explain.
 */
export class FastEventValidator {
  isValid(parsed: object): boolean {
    return validate(parsed);
  }

  /** Which schema rule refused the event (path and keyword, never values): for the rare log. */
  rejection(parsed: object): string | null {
    if (validate(parsed)) return null;
    const [first] = validate.errors ?? [];
    return first ? `${first.instancePath || '/'} ${first.keyword}` : 'unknown';
  }
}
