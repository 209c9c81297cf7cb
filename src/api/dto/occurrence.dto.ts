import { ApiProperty } from '@nestjs/swagger';
import type { AlertOccurrence } from '../../alerts/alert-occurrence.entity';
import type { Page } from '../../alerts/alert-queries.service';
import { encodeCursor } from '../pagination/cursor';
import { OCCURRENCES_LISTING } from '../pagination/listings';

/** One event grouped into an alert. */
export class OccurrenceDto {
  @ApiProperty({ description: 'sha256 hex identity of the event' }) event_id: string;
  @ApiProperty({ type: String, format: 'date-time', description: "The event's own timestamp" })
  event_time: Date;
  @ApiProperty({ type: String, format: 'date-time' }) received_at: Date;
  @ApiProperty() source_topic: string;
  @ApiProperty() source_partition: number;
  @ApiProperty({ description: 'Kafka offset (int64, as a string)' }) source_offset: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) event: Record<string, unknown>;

  static from(o: AlertOccurrence): OccurrenceDto {
    return {
      event_id: o.eventId,
      event_time: o.eventTime,
      received_at: o.receivedAt,
      source_topic: o.sourceTopic,
      source_partition: o.sourcePartition,
      source_offset: o.sourceOffset,
      event: o.event,
    };
  }
}

export class OccurrencePageDto {
  @ApiProperty({ type: [OccurrenceDto] }) items: OccurrenceDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor: string | null;

  static from(page: Page<AlertOccurrence>): OccurrencePageDto {
    return {
      items: page.items.map((o) => OccurrenceDto.from(o)),
      next_cursor: page.next ? encodeCursor(OCCURRENCES_LISTING, page.next) : null,
    };
  }
}
