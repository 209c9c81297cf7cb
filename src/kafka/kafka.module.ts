import { Module } from '@nestjs/common';
import { CommitTimer } from './commit-timer';
import { ConsumerState } from './consumer-state';
import { DeadLetterProducer } from './dead-letter.producer';
import { InFlightBatches } from './in-flight-batches';

/**
 * What the transport shares with the rest of the app: consumer state (written by the transport,
 * read by readiness), stuck-batch tracking and commit timing (read by metrics) and the dead-letter
 * producer.
 */
@Module({
  providers: [ConsumerState, InFlightBatches, CommitTimer, DeadLetterProducer],
  exports: [ConsumerState, InFlightBatches, CommitTimer, DeadLetterProducer],
})
export class KafkaModule {}
