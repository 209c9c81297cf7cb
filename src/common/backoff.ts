import { setTimeout as sleep } from 'node:timers/promises';

const BASE_MS = 100;

/**
 * Waits before retry `attempt` (0-based): capped exponential backoff with full jitter, so
 * instances that lost a dependency together do not come back in lockstep. Hand-written rather
 * than from a retry library because the wait must end the moment `signal` fires (shutdown, or
 * the pod giving up its partitions): it then rejects with the signal's reason.
 */
export async function backoff(attempt: number, capMs: number, signal: AbortSignal): Promise<void> {
  const cap = Math.min(capMs, BASE_MS * 2 ** Math.min(attempt, 20));
  await sleep(Math.random() * cap, undefined, { signal });
}

/** Settles like `work`, or rejects as soon as `signal` fires, whichever comes first. */
export function unlessAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    work.catch(() => undefined); // settles unobserved: nobody waits for it any more
    return Promise.reject(abortError(signal));
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new DOMException('the batch was abandoned', 'AbortError');
}
