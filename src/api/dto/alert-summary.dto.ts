import { ApiProperty } from '@nestjs/swagger';
import type { AlertSummary } from '../../alerts/alert-queries.service';

class SeverityCountsDto {
  @ApiProperty() critical: number;
  @ApiProperty() warning: number;
  @ApiProperty() info: number;
}

class StatusCountsDto {
  @ApiProperty() open: SeverityCountsDto;
  @ApiProperty() acknowledged: SeverityCountsDto;
  @ApiProperty() resolved: SeverityCountsDto;
}

class MinuteCountDto {
  @ApiProperty({ type: String, format: 'date-time', description: 'Start of the minute' })
  minute: Date;
  @ApiProperty({ description: 'Occurrences whose event time falls in the minute' })
  count: number;
}

export class AlertSummaryDto {
  @ApiProperty({ description: 'Alerts by status, then severity (zeros included)' })
  counts: StatusCountsDto;
  @ApiProperty({
    type: [MinuteCountDto],
    description: 'The last 60 minutes, oldest first; the last entry is the current minute so far',
  })
  occurrences_per_minute: MinuteCountDto[];

  static from(summary: AlertSummary): AlertSummaryDto {
    return { counts: summary.counts, occurrences_per_minute: summary.perMinute };
  }
}
