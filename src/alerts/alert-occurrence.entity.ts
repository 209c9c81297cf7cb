import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row per alert-worthy event, in a table partitioned by day of event time (see
 * OccurrencePartitions); retention drops whole partitions. The key includes event_time because a
 * unique key on a partitioned table must hold the partition key; copies of one event share both.
 * The key's index leads with event_time (migration 1764600000000): rows arrive in about time order.
 */
@Entity({ name: 'alert_occurrences' })
export class AlertOccurrence {
  /** sha256 of the event's event_id field when it has one, else of its canonical JSON. */
  @PrimaryColumn({ name: 'event_id', type: 'char', length: 64 }) eventId: string;
  /** The event's own timestamp: the partition key. */
  @PrimaryColumn({ name: 'event_time', type: 'timestamptz' }) eventTime: Date;

  /** No foreign key: checking one per row costs too much on the write path. */
  @Column({ name: 'alert_id', type: 'uuid' }) alertId: string;

  @Column({ name: 'source_topic', type: 'varchar', length: 249 }) sourceTopic: string;
  @Column({ name: 'source_partition', type: 'int' }) sourcePartition: number;
  @Column({ name: 'source_offset', type: 'bigint' }) sourceOffset: string;
  @Column({ name: 'received_at', type: 'timestamptz', default: () => 'now()' }) receivedAt: Date;
  /** The event (truncated form if over RAW_LOG_MAX_BYTES). */
  @Column({ type: 'jsonb' }) event: Record<string, unknown>;
}
