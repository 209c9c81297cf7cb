/**
 * What the Kafka transport hands to a handler: one fetched batch of one partition, in our own
 * types, so no feature folder depends on the Kafka client's.
 */
export interface InboundMessage {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, Buffer | string | undefined>;
  /** Kafka's timestamp (ms since epoch, as a string). */
  timestamp: string;
}

export interface InboundBatch {
  topic: string;
  partition: number;
  messages: InboundMessage[];
}

/** The @EventPattern the configured source topic (KAFKA_TOPIC) is routed to. */
export const POS_LOGS = 'pos-logs';
