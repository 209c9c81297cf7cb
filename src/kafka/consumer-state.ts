import { Injectable } from '@nestjs/common';

/**
 * What the Kafka consumer is doing, fed by kafkajs instrumentation events. Readiness reads it:
 * a pod whose consumer is not in its group must not count as ready, even if the broker answers.
 */
@Injectable()
export class ConsumerState {
  private inGroup = false;
  private lastChange = Date.now();
  private detail = 'not started';

  joined(memberId: string): void {
    this.set(true, `member ${memberId}`);
  }

  left(why: string): void {
    this.set(false, why);
  }

  snapshot(): { inGroup: boolean; detail: string; sinceMs: number } {
    return { inGroup: this.inGroup, detail: this.detail, sinceMs: Date.now() - this.lastChange };
  }

  private set(inGroup: boolean, detail: string): void {
    if (this.inGroup !== inGroup) this.lastChange = Date.now();
    this.inGroup = inGroup;
    this.detail = detail;
  }
}
