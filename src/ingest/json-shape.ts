/** Keys that change an object's prototype when assigned, at any depth of untrusted JSON. */
export const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'];

/**
 * Walks parsed JSON without recursion (so 10,000 levels cannot overflow the stack) and returns
 * why it is unacceptable, or null. Postgres' jsonb parser and most consumers recurse; deep input
 * is a denial-of-service vector, not a POS event.
 */
export function jsonShapeProblem(value: unknown, maxDepth: number): string | null {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > maxDepth) return `nested deeper than ${maxDepth} levels`;
    if (Array.isArray(node)) {
      for (const child of node) stack.push([child, depth + 1]);
      continue;
    }
    for (const key of Object.keys(node)) {
      if (FORBIDDEN_KEYS.includes(key)) return `key "${key}" is not allowed`;
      stack.push([(node as Record<string, unknown>)[key], depth + 1]);
    }
  }
  return null;
}
