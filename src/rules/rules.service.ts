import { Inject, Injectable, Logger } from '@nestjs/common';
import { LogEvent } from '../events/log-event.dto';
import { MessageRef } from '../events/message-ref';
import { Match } from '../events/match';
import { DETECTORS, Detector } from './detector';
import { groupingOf } from './grouping';

@Injectable()
export class RulesService {
  private readonly logger = new Logger(RulesService.name);

  constructor(@Inject(DETECTORS) private readonly detectors: Detector[]) {}

  /** The first detector (in registration order) that matches, with the problem it groups into, or null. */
  evaluate(event: LogEvent, ref: MessageRef): Match | null {
    for (const detector of this.detectors) {
      try {
        const candidate = detector.detect(event);
        if (!candidate) continue;
        const { fingerprint, labels } = groupingOf(detector, event);
        return { detector: detector.id, candidate, fingerprint, groupLabels: labels };
      } catch (err) {
        // One broken rule must not silence the others, nor block the partition.
        this.logger.error({
          msg: 'detector failed; trying the next one',
          detector: detector.id,
          ...ref,
          err,
        });
      }
    }
    return null;
  }
}
