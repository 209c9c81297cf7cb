import { Module } from '@nestjs/common';
import { ConsumerState } from './consumer-state';
import { InFlightBatches } from './in-flight-batches';

/** Shares the consumer's state between the transport (which writes it) and readiness and metrics (which read it). */
@Module({ providers: [ConsumerState, InFlightBatches], exports: [ConsumerState, InFlightBatches] })
export class KafkaModule {}
