import { Module } from '@nestjs/common';
import { DETECTORS, Detector } from './detector';
import { DatabaseErrorDetector } from './detectors/database-error.detector';
import { InvalidOrderDetector } from './detectors/invalid-order.detector';
import { PriceMissingDetector } from './detectors/price-missing.detector';
import { TimeoutDetector } from './detectors/timeout.detector';
import { RulesService } from './rules.service';

/**
 * Every detector, in the order RulesService tries them: the first match wins, so put the
 * more specific rule first. Adding a detector = one file, one line here, one spec.
 */
export const detectors = [
  PriceMissingDetector,
  InvalidOrderDetector,
  DatabaseErrorDetector,
  TimeoutDetector,
];

@Module({
  providers: [
    ...detectors,
    { provide: DETECTORS, useFactory: (...all: Detector[]) => all, inject: detectors },
    RulesService,
  ],
  exports: [RulesService],
})
export class RulesModule {}
