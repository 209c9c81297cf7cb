import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls until `probe` returns without throwing (and, for a value, passes `until`), or fails
 * with the last error after `timeoutMs`. The only way specs wait: no fixed sleeps.
 */
export async function eventually<T>(
  probe: () => Promise<T> | T,
  { timeoutMs = 30_000, intervalMs = 100 }: { timeoutMs?: number; intervalMs?: number } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      return await probe();
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const message = lastError instanceof Error ? lastError.message : String(lastError);
      throw new Error(`condition not met within ${timeoutMs} ms: ${message}`);
    }
    await sleep(intervalMs);
  }
}
