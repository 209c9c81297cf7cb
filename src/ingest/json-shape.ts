/** Keys that change an object's prototype when assigned, at any depth of untrusted JSON. */
export const FORBIDDEN_KEYS = ['__proto__', 'constructor', 'prototype'];

// The walk's stack, as two parallel arrays (containers only, and their depths) and a top index,
// kept between calls: this runs for every event, and a tuple per property, then two fresh arrays
// per event (~4-6% of the service's allocation in a D profile), were measurable shares of the
// garbage collector's work. The walk is synchronous, so one stack serves every call. Slots are
// emptied as they are popped and when a call ends, so nothing of an event outlives its check;
// a stack grown past KEEP_SLOTS by an unusual event is dropped, not kept.
const KEEP_SLOTS = 1024;
let nodes: Array<object | undefined> = [];
let depths: number[] = [];
let top = 0;

function visit(child: unknown, depth: number): void {
  if (child === null || typeof child !== 'object') return;
  nodes[top] = child;
  depths[top] = depth;
  top++;
}

/**
 * Walks parsed JSON without recursion (so 10,000 levels cannot overflow the stack) and returns
 * why it is unacceptable, or null. Postgres' jsonb parser and most consumers recurse; deep input
 * is a denial-of-service vector, not a POS event.
 */
export function jsonShapeProblem(value: unknown, maxDepth: number): string | null {
  try {
    visit(value, 1);
    while (top > 0) {
      top--;
      const node = nodes[top]!;
      nodes[top] = undefined;
      const depth = depths[top];
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
  } finally {
    if (nodes.length > KEEP_SLOTS) {
      nodes = [];
      depths = [];
    } else {
      nodes.fill(undefined, 0, top);
    }
    top = 0;
  }
}
