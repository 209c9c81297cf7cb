import { Injectable, PipeTransform } from '@nestjs/common';
import { InboundBatch } from '../events/inbound-batch';
import { DecodedBatch } from './decoded-batch';
import { InvalidEventError } from './invalid-event.error';
import { LogEventParser } from './log-event.parser';
import { UnknownFieldsTracker } from './unknown-fields.tracker';

/**
 * Decodes every message of a batch on its own: one bad message is set aside with its reason,
 * never rejecting its neighbours (a pipe that threw for the whole batch would block it).
 */
@Injectable()
export class DecodeBatchPipe implements PipeTransform<InboundBatch, DecodedBatch> {
  constructor(
    private readonly parser: LogEventParser,
    private readonly unknownFields: UnknownFieldsTracker,
  ) {}

  transform(batch: InboundBatch): DecodedBatch {
    const decoded: DecodedBatch = {
      topic: batch.topic,
      partition: batch.partition,
      valid: [],
      rejected: [],
    };
    const { topic, partition } = batch;
    for (const message of batch.messages) {
      const { offset } = message;
      try {
        const { event, unknownFields } = this.parser.parse(message.value);
        const ref = { topic, partition, offset, request_id: event.request_id };
        if (unknownFields.length > 0) this.unknownFields.record(unknownFields, ref);
        decoded.valid.push({ event, ref, message });
      } catch (err) {
        if (!(err instanceof InvalidEventError)) throw err;
        const ref = { topic, partition, offset };
        decoded.rejected.push({ message, ref, reason: err.reason, error: err.message });
      }
    }
    return decoded;
  }
}
