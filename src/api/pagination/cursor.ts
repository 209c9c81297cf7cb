import type { Keyset } from '../../alerts/alert-queries.service';
import { RequestValidationException } from '../problems/request-validation.exception';

/** What a cursor belongs to: it continues only the listing (and order) that issued it. */
export interface CursorScope {
  listing: string;
  /** Shape of the tie-breaking id, checked before it reaches SQL. */
  id: RegExp;
}

interface CursorPayload {
  l: string;
  k: string;
  i: string;
}

/** Sort keys are integers (a count, or microseconds since the epoch): see Keyset. */
const KEY = /^-?\d{1,19}$/;

/** Opaque to clients: base64url JSON of the last row's sort key and id. */
export function encodeCursor(scope: CursorScope, keyset: Keyset): string {
  const payload: CursorPayload = { l: scope.listing, k: keyset.key, i: keyset.id };
  return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

/** The position a cursor names; a 400 naming `cursor` for anything this API did not issue. */
export function decodeCursor(scope: CursorScope, cursor: string): Keyset {
  let payload: Partial<CursorPayload> | null = null;
  try {
    payload = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorPayload;
  } catch {
    // falls through to the refusal below
  }
  if (
    typeof payload?.k !== 'string' ||
    typeof payload.i !== 'string' ||
    payload.l !== scope.listing ||
    !KEY.test(payload.k) ||
    !scope.id.test(payload.i)
  ) {
    throw new RequestValidationException([
      { field: 'cursor', message: 'cursor is not a next_cursor of this listing' },
    ]);
  }
  return { key: payload.k, id: payload.i };
}
