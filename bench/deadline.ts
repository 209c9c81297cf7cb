/**
 * A bare consumer in the bench process has no child whose exit would end its run: a broker
 * fault mid-run would otherwise hang `npm run bench` with nothing printed.
 */
export const CONSUME_LIMIT_MS = 5 * 60_000;

/** Settles like `work`, or rejects after `ms` with what `progress` then says. */
export async function within<T>(work: Promise<T>, ms: number, progress: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no final commit within ${ms} ms: ${progress()}`)),
      ms,
    );
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}
