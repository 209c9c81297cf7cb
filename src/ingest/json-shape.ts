/** Keys that change an object's prototype when assigned, at any depth of untrusted JSON. */
export const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'];

/**
 * Walks parsed JSON without recursion (so 10,000 levels cannot overflow the stack) and returns
 * why it is unacceptable, or null. Postgres' jsonb parser and most consumers recurse; deep input
 * is a denial-of-service vector, not a POS event.
 */
export function jsonShapeProblem(value: unknown, maxDepth: number): string | null {
  // Only containers are pushed, in two parallel stacks: this runs for every event, and a tuple
  // per property was a measurable share of the garbage collector's work.
  const nodes: object[] = [];
  const depths: number[] = [];
  const visit = (child: unknown, depth: number) => {
    if (child === null || typeof child !== 'object') return;
    nodes.push(child);
    depths.push(depth);
  };
  visit(value, 1);
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    const depth = depths.pop()!;
    if (depth > maxDepth) return `nested deeper than ${maxDepth} levels`;
    if (Array.isArray(node)) {
      for (const child of node as unknown[]) visit(child, depth + 1);
      continue;
    }
    // for-in, not Object.keys: no array per object. JSON.parse makes plain objects, whose
    // prototype has no enumerable keys, so it sees exactly their own keys.
    for (const key in node) {
      if (FORBIDDEN_KEYS.includes(key)) return `key "${key}" is not allowed`;
      visit((node as Record<string, unknown>)[key], depth + 1);
    }
  }
  return null;
}
