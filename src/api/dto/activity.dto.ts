import { ApiProperty } from '@nestjs/swagger';
import type { AlertActivity } from '../../alerts/alert-activity.entity';
import type { Page } from '../../alerts/alert-queries.service';
import { ActivityAction, AlertStatus } from '../../events/alert.enums';
import { encodeCursor } from '../pagination/cursor';
import { ACTIVITY_LISTING } from '../pagination/listings';

/** One entry of an alert's history. */
export class ActivityDto {
  @ApiProperty() id: number;
  @ApiProperty({ enum: AlertStatus, enumName: 'AlertStatus', nullable: true })
  from_status: AlertStatus | null;
  @ApiProperty({ enum: AlertStatus, enumName: 'AlertStatus' }) to_status: AlertStatus;
  @ApiProperty({ enum: ActivityAction, enumName: 'ActivityAction' }) action: ActivityAction;
  @ApiProperty({ description: "A token's name, 'system' or 'jira'" }) actor: string;
  @ApiProperty({ type: String, nullable: true, example: 'manual' }) reason: string | null;
  @ApiProperty({ type: String, nullable: true }) note: string | null;
  @ApiProperty({ type: String, format: 'date-time' }) at: Date;

  static from(a: AlertActivity): ActivityDto {
    return {
      id: Number(a.id),
      from_status: a.fromStatus,
      to_status: a.toStatus,
      action: a.action,
      actor: a.actor,
      reason: a.reason,
      note: a.note,
      at: a.at,
    };
  }
}

export class ActivityPageDto {
  @ApiProperty({ type: [ActivityDto] }) items: ActivityDto[];
  @ApiProperty({ type: String, nullable: true }) next_cursor: string | null;

  static from(page: Page<AlertActivity>): ActivityPageDto {
    return {
      items: page.items.map((a) => ActivityDto.from(a)),
      next_cursor: page.next ? encodeCursor(ACTIVITY_LISTING, page.next) : null,
    };
  }
}
