import { ApiProperty } from '@nestjs/swagger';

/** 202 to POST .../jira/create: the request is queued; the worker creates (or finds) the issue. */
export class JiraCreateRequestDto {
  @ApiProperty({ format: 'uuid' }) alert_id: string;
  @ApiProperty({ enum: ['create'] }) action: 'create';
  @ApiProperty({ enum: ['pending'], description: 'Follow it as jira_sync_status on the alert' })
  status: 'pending';
}

/** 200 to POST .../jira/retry. */
export class JiraRetryDto {
  @ApiProperty({ format: 'uuid' }) alert_id: string;
  @ApiProperty({ description: 'Failed Jira actions of the alert put back in the queue' })
  retried: number;
}
