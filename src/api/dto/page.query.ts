import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import type { PageRequest } from '../../alerts/alert-queries.service';
import { CursorScope, decodeCursor } from '../pagination/cursor';

export const MAX_PAGE_SIZE = 200;

export class PageQuery {
  @ApiPropertyOptional({ minimum: 1, maximum: MAX_PAGE_SIZE, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  limit: number = 50;

  @ApiPropertyOptional({ description: 'The next_cursor of the previous page, as it was.' })
  @IsOptional()
  @IsString()
  @MaxLength(512)
  cursor?: string;

  pageRequest(scope: CursorScope): PageRequest {
    return { limit: this.limit, after: this.cursor ? decodeCursor(scope, this.cursor) : undefined };
  }
}
