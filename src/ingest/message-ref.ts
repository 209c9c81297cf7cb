import { KafkaContext } from '@nestjs/microservices';

/** Where a message came from: enough to find it again in Kafka, and the fields every log line about it carries. */
export interface MessageRef {
  topic: string;
  partition: number;
  offset: string;
  request_id?: string;
}

export function messageRef(ctx: KafkaContext, requestId?: string): MessageRef {
  return {
    topic: ctx.getTopic(),
    partition: ctx.getPartition(),
    offset: ctx.getMessage().offset,
    ...(requestId === undefined ? {} : { request_id: requestId }),
  };
}
