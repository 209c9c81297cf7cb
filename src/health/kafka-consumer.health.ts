import { Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { ConsumerState } from '../kafka/consumer-state';

/** Up only while this instance's consumer is a member of its group (not merely "a broker answers"). */
@Injectable()
export class KafkaConsumerHealthIndicator {
  constructor(
    private readonly indicator: HealthIndicatorService,
    private readonly state: ConsumerState,
  ) {}

  isInGroup(key: string) {
    const check = this.indicator.check(key);
    const { inGroup, detail, sinceMs } = this.state.snapshot();
    return inGroup ? check.up({ detail }) : check.down({ detail, since_ms: sinceMs });
  }
}
