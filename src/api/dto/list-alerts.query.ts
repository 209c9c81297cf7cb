import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, TransformFnParams } from 'class-transformer';
import {
  IsEnum,
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  MaxLength,
  MinLength,
} from 'class-validator';
import type { AlertFilter, AlertSort, SortOrder } from '../../alerts/alert-queries.service';
import { AlertSeverity, AlertStatus } from '../../events/alert.enums';
import { PageQuery } from './page.query';

/** `?status=open&status=acknowledged` and `?status=open,acknowledged` mean the same. */
const toList = ({ value }: TransformFnParams): unknown =>
  value === undefined
    ? undefined
    : ([value] as unknown[])
        .flat()
        .flatMap((v) => String(v).split(','))
        .map((v) => v.trim())
        .filter((v) => v !== '');

const SORTS: AlertSort[] = ['last_seen_at', 'occurrences'];
const ORDERS: SortOrder[] = ['asc', 'desc'];
const SEVERAL = 'One or several: repeat the parameter or separate values with commas.';

export class ListAlertsQuery extends PageQuery {
  @ApiPropertyOptional({
    enum: AlertStatus,
    enumName: 'AlertStatus',
    isArray: true,
    description: SEVERAL,
  })
  @IsOptional()
  @Transform(toList)
  @IsEnum(AlertStatus, { each: true })
  status?: AlertStatus[];

  @ApiPropertyOptional({
    enum: AlertSeverity,
    enumName: 'AlertSeverity',
    isArray: true,
    description: SEVERAL,
  })
  @IsOptional()
  @Transform(toList)
  @IsEnum(AlertSeverity, { each: true })
  severity?: AlertSeverity[];

  @ApiPropertyOptional({ example: 'PRICE_MISSING' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  issue_code?: string;

  @ApiPropertyOptional({
    description: "The opening event's service (metadata) or the service group label.",
  })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  service?: string;

  @ApiPropertyOptional({
    description: 'Case-insensitive substring of issue_code, service or the group labels.',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'last_seen_at at or after this.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'last_seen_at before this.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  until?: string;

  @ApiPropertyOptional({ enum: SORTS, default: 'last_seen_at' })
  @IsOptional()
  @IsIn(SORTS)
  sort: AlertSort = 'last_seen_at';

  @ApiPropertyOptional({ enum: ORDERS, default: 'desc' })
  @IsOptional()
  @IsIn(ORDERS)
  order: SortOrder = 'desc';

  filter(): AlertFilter {
    return {
      statuses: this.status,
      severities: this.severity,
      issueCode: this.issue_code,
      service: this.service,
      q: this.q,
      since: this.since ? new Date(this.since) : undefined,
      until: this.until ? new Date(this.until) : undefined,
    };
  }
}
