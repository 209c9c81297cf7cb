/**
 * Waits until every promise of `work` has settled, for at most `limitMs`; returns how many had
 * not by then. Failures are not rethrown: the caller only wants to know what is still running.
 */
export async function settleWithin(
  work: Iterable<Promise<unknown>>,
  limitMs: number,
): Promise<number> {
  const all = [...work];
  let settled = 0;
  const count = () => void settled++;
  const done = Promise.all(all.map((p) => p.then(count, count)));
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, limitMs)));
  await Promise.race([done, limit]);
  clearTimeout(timer);
  return all.length - settled;
}
