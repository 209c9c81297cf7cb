import { Controller } from '@nestjs/common';
import { Ctx, EventPattern, Payload } from '@nestjs/microservices';
import { POS_LOGS } from '../events/inbound-batch';
import { BatchContext } from '../kafka/batch-context';
import { DecodeBatchPipe } from './decode-batch.pipe';
import { DecodedBatch } from './decoded-batch';
import { IngestService } from './ingest.service';

@Controller()
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  /**
   * One fetched batch of one partition. Resolves once every message's outcome is durable: only
   * then does the transport commit the batch's offsets.
   */
  @EventPattern(POS_LOGS)
  async handle(
    @Payload(DecodeBatchPipe) batch: DecodedBatch,
    @Ctx() ctx: BatchContext,
  ): Promise<void> {
    await this.ingest.process(batch, ctx.signal);
  }
}
