import { RequestValidationException } from './problems/request-validation.exception';
import { etagOf, parseIfMatch } from './if-match';

describe(parseIfMatch.name, () => {
  it.each([
    ['"3"', 3],
    ['3', 3],
    ['W/"3"', 3],
    [' "42" ', 42],
    ['"2147483647"', 2147483647],
  ])('reads %s as version %d', (header, version) => {
    expect(parseIfMatch(header)).toBe(version);
  });

  it('accepts back the ETag it sends', () => {
    expect(parseIfMatch(etagOf(7))).toBe(7);
  });

  it.each([[undefined], [''], ['*']])('expects no particular version for %p', (header) => {
    expect(parseIfMatch(header)).toBeUndefined();
  });

  it.each([
    ['abc'],
    ['"3'],
    ['W/3'],
    ['"0"'],
    ['-1'],
    ['"03"'],
    ['"2147483648"'],
    ['"1", "2"'],
    [['"1"', '"2"']],
  ])('refuses %p with a 400 naming If-Match', (header) => {
    let error: unknown;
    try {
      parseIfMatch(header);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(RequestValidationException);
    expect((error as RequestValidationException).getStatus()).toBe(400);
    expect((error as RequestValidationException).errors).toEqual([
      { field: 'If-Match', message: expect.any(String) },
    ]);
  });
});
