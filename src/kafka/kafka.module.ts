import { Module } from '@nestjs/common';
import { ConsumerState } from './consumer-state';

/** Shares the consumer's state between the transport (which writes it) and readiness (which reads it). */
@Module({ providers: [ConsumerState], exports: [ConsumerState] })
export class KafkaModule {}
