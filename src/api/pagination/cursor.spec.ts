import { RequestValidationException } from '../problems/request-validation.exception';
import { CursorScope, decodeCursor, encodeCursor } from './cursor';
import { alertsListing, OCCURRENCES_LISTING } from './listings';

const scope: CursorScope = alertsListing('last_seen_at', 'desc');
const keyset = { key: '1764506096789123', id: '0b6f5a4e-9a43-4b7e-9d8e-2f0c3c1d7e11' };
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function refusal(cursor: string, within = scope): RequestValidationException | undefined {
  try {
    decodeCursor(within, cursor);
  } catch (err) {
    if (err instanceof RequestValidationException) return err;
    throw err;
  }
  return undefined;
}

describe(encodeCursor.name, () => {
  it('round-trips a keyset through an opaque, URL-safe string', () => {
    const sut = encodeCursor(scope, keyset);
    expect(sut).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(sut).not.toContain(keyset.id);
    expect(decodeCursor(scope, sut)).toEqual(keyset);
  });

  it('round-trips negative keys (before 1970) and occurrence ids', () => {
    const occurrence = { key: '-5', id: 'a'.repeat(64) };
    expect(
      decodeCursor(OCCURRENCES_LISTING, encodeCursor(OCCURRENCES_LISTING, occurrence)),
    ).toEqual(occurrence);
  });
});

describe(decodeCursor.name, () => {
  const valid = { l: scope.listing, k: keyset.key, i: keyset.id };

  it.each([
    ['not base64 JSON', 'not-a-cursor'],
    ['JSON that is not an object', b64(42)],
    ['null', b64(null)],
    ['a non-numeric key', b64({ ...valid, k: "1' OR 1=1 --" })],
    ['a fractional key', b64({ ...valid, k: '1.5' })],
    ['a key past bigint', b64({ ...valid, k: '1'.repeat(20) })],
    ['an id that is no uuid', b64({ ...valid, i: 'x' })],
    ['a missing id', b64({ l: valid.l, k: valid.k })],
    ['a numeric key', b64({ ...valid, k: 5 })],
  ])('answers 400 naming cursor to %s', (_, cursor) => {
    const error = refusal(cursor);
    expect(error?.getStatus()).toBe(400);
    expect(error?.errors).toEqual([{ field: 'cursor', message: expect.any(String) }]);
  });

  it('refuses a cursor of another listing or sort order', () => {
    const cursor = encodeCursor(scope, keyset);
    expect(refusal(cursor, alertsListing('last_seen_at', 'asc'))).toBeDefined();
    expect(refusal(cursor, alertsListing('occurrences', 'desc'))).toBeDefined();
    expect(refusal(cursor, OCCURRENCES_LISTING)).toBeDefined();
  });
});
