import { jsonShapeProblem } from './json-shape';

/** `levels` objects nested in each other: {"a":{"a":...}}. */
const nested = (levels: number): object => {
  let value: object = {};
  for (let i = 1; i < levels; i++) value = { a: value };
  return value;
};

describe(jsonShapeProblem.name, () => {
  it('accepts JSON up to the depth limit and refuses one level more', () => {
    expect(jsonShapeProblem(nested(32), 32)).toBeNull();
    expect(jsonShapeProblem(nested(33), 32)).toBe('nested deeper than 32 levels');
  });

  it('walks 10,000 levels without overflowing the stack', () => {
    const deep = JSON.parse('['.repeat(10_000) + ']'.repeat(10_000)) as unknown;
    expect(jsonShapeProblem(deep, 32)).toBe('nested deeper than 32 levels');
  });

  it('refuses prototype keys at any depth', () => {
    const event = JSON.parse('{"a":[{"b":{"__proto__":{"x":1}}}]}') as unknown;
    expect(jsonShapeProblem(event, 32)).toBe('key "__proto__" is not allowed');
  });

  // Its stacks are shared between calls: a call that stops early must not leave work behind.
  it('judges each value alone after a call that stopped early', () => {
    const wide = { a: nested(30), b: nested(30), c: { constructor: 1 }, d: [nested(30)] };
    expect(jsonShapeProblem(wide, 32)).toBe('key "constructor" is not allowed');
    expect(jsonShapeProblem({ ok: true }, 32)).toBeNull();
    expect(jsonShapeProblem([nested(40), nested(40)], 32)).toBe('nested deeper than 32 levels');
    expect(jsonShapeProblem(nested(2), 2)).toBeNull();
    // Refused with {} still to walk at depth 5: a later shallow check must not meet it.
    const leftover = { x: { y: { z: { q: {}, bad: { constructor: 1 } } } } };
    expect(jsonShapeProblem(leftover, 32)).toBe('key "constructor" is not allowed');
    expect(jsonShapeProblem({}, 2)).toBeNull();
  });
});
