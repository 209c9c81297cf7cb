import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import CircuitBreaker from 'opossum';
import type { JiraResult } from './jira.client';

export interface JiraBreakerOptions {
  /** Calls in the window before the breaker may open; it opens when half of them failed. */
  minCalls: number;
  windowMs: number;
  /** How long it stays open before one call may try again. */
  resetMs: number;
}

const DEFAULTS: JiraBreakerOptions = { minCalls: 5, windowMs: 60_000, resetMs: 30_000 };

/** The call was not made: Jira failed too often lately. Not the row's failure. */
export const BREAKER_OPEN = { kind: 'open' } as const;
export type BreakerOpen = typeof BREAKER_OPEN;

/** Carries a transient result through opossum, which counts only rejections as failures. */
class TransientResult extends Error {
  constructor(readonly result: JiraResult<unknown>) {
    super('transient Jira failure');
  }
}

type Work = () => Promise<JiraResult<unknown>>;

/**
 * Stops calling Jira while it is down (opossum). Transient results count as failures; permanent
 * ones (a 400 for one bad row) do not, since Jira answered. Logs once when it opens and once when
 * it closes.
 */
@Injectable()
export class JiraBreaker implements OnApplicationShutdown {
  private readonly logger = new Logger(JiraBreaker.name);
  private readonly breaker: CircuitBreaker<[Work], JiraResult<unknown>>;
  /** Open, or half-open after being open: a failed trial call must not log again. */
  private down = false;

  constructor(options: Partial<JiraBreakerOptions> = {}) {
    const { minCalls, windowMs, resetMs } = { ...DEFAULTS, ...options };
    this.breaker = new CircuitBreaker<[Work], JiraResult<unknown>>(
      async (work: Work) => {
        const result = await work();
        if (result.kind === 'transient') throw new TransientResult(result);
        return result;
      },
      {
        name: 'jira',
        // Each request has its own timeout (JIRA_TIMEOUT_MS); opossum's would not abort it.
        timeout: false,
        volumeThreshold: minCalls,
        errorThresholdPercentage: 50,
        rollingCountTimeout: windowMs,
        resetTimeout: resetMs,
      },
    );
    this.breaker.on('open', () => {
      if (this.down) return;
      this.down = true;
      this.logger.warn({
        msg: 'Jira keeps failing; circuit open, outbox rows wait',
        reset_ms: resetMs,
      });
    });
    this.breaker.on('close', () => {
      if (!this.down) return;
      this.down = false;
      this.logger.log({ msg: 'Jira answers again; circuit closed' });
    });
  }

  get isOpen(): boolean {
    return this.breaker.opened;
  }

  async call<T>(work: () => Promise<JiraResult<T>>): Promise<JiraResult<T> | BreakerOpen> {
    try {
      return (await this.breaker.fire(work)) as JiraResult<T>;
    } catch (err) {
      if (err instanceof TransientResult) return err.result as JiraResult<T>;
      if ((err as { code?: unknown }).code === 'EOPENBREAKER') return BREAKER_OPEN;
      throw err;
    }
  }

  onApplicationShutdown(): void {
    this.breaker.shutdown();
  }
}
