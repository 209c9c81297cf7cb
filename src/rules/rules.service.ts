import { Inject, Injectable, Logger } from '@nestjs/common';
import { LogEvent } from '../ingest/log-event.dto';
import { MessageRef } from '../ingest/message-ref';
import { AlertCandidate, DETECTORS, Detector } from './detector';

export interface Match {
  detector: string;
  candidate: AlertCandidate;
}

@Injectable()
export class RulesService {
  private readonly logger = new Logger(RulesService.name);

  constructor(@Inject(DETECTORS) private readonly detectors: Detector[]) {}

  /** The first detector (in registration order) that matches, or null. */
  evaluate(event: LogEvent, ref: MessageRef): Match | null {
    for (const detector of this.detectors) {
      const name = detector.constructor.name;
      try {
        const candidate = detector.detect(event);
        if (candidate) return { detector: name, candidate };
      } catch (err) {
        // One broken rule must not silence the others, nor block the partition.
        this.logger.error({
          msg: 'detector failed; trying the next one',
          detector: name,
          ...ref,
          err,
        });
      }
    }
    return null;
  }
}
