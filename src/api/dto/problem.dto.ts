import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { applyDecorators } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { AlertStatus } from '../../events/alert.enums';

class FieldErrorDto {
  @ApiProperty({ example: 'key' }) field: string;
  @ApiProperty() message: string;
}

/** RFC 9457 problem details, as every error of this API (and of the HTTP port) is sent. */
export class ProblemDto {
  @ApiProperty({ example: 'https://stacklens.dev/problems/stale-version' }) type: string;
  @ApiProperty() title: string;
  @ApiProperty() status: number;
  @ApiProperty() detail: string;
  @ApiProperty({ description: 'The request path' }) instance: string;
  @ApiPropertyOptional({ type: [FieldErrorDto], description: '400: the refused fields' })
  errors?: FieldErrorDto[];
  @ApiPropertyOptional({ enum: AlertStatus, enumName: 'AlertStatus', description: '409' })
  current_status?: AlertStatus;
  @ApiPropertyOptional({ description: '412' }) current_version?: number;
  @ApiPropertyOptional({ format: 'uuid', description: '409 on reopen: the open alert' })
  open_alert_id?: string;
  @ApiPropertyOptional({ example: 'OPS-123', description: '409 on jira/create: the linked issue' })
  jira_issue_key?: string;
}

/** Documents the error statuses a route can answer, all as application/problem+json. */
export const ApiProblems = (...statuses: number[]) =>
  applyDecorators(
    ApiExtraModels(ProblemDto),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: STATUS_CODES[status],
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemDto) } } },
      }),
    ),
  );
