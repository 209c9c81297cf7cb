import {
  Controller,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { JiraOutbox, RunSql } from '../alerts/jira-outbox';
import { ApiResponseHeadersInterceptor } from './api-response-headers.interceptor';
import { ApiAuthGuard } from './auth/api-auth.guard';
import { ApiThrottlerGuard } from './auth/api-throttler.guard';
import { Roles } from './auth/roles.decorator';
import { AlertIdParams } from './dto/alert-id.params';
import { JiraCreateRequestDto, JiraRetryDto } from './dto/jira-request.dto';
import { ApiProblems } from './dto/problem.dto';

/** Asking for Jira work on an alert; the outbox worker does it. Operator tokens only. */
@ApiTags('alerts')
@ApiBearerAuth()
@ApiProblems(400, 401, 403, 404, 429, 503)
@Controller('api/v1/alerts/:id/jira')
@UseGuards(ApiThrottlerGuard, ApiAuthGuard)
@Roles('operator')
@UseInterceptors(ApiResponseHeadersInterceptor)
export class AlertJiraController {
  private readonly run: RunSql;

  constructor(
    private readonly outbox: JiraOutbox,
    dataSource: DataSource,
  ) {
    this.run = (sql, params) => dataSource.query(sql, params);
  }

  @Post('create')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    summary: 'Queue a Jira issue for the alert, whatever its severity; 409 if it has one',
  })
  @ApiResponse({ status: HttpStatus.ACCEPTED, type: JiraCreateRequestDto })
  @ApiProblems(409)
  async create(@Param() { id }: AlertIdParams): Promise<JiraCreateRequestDto> {
    const { status } = await this.outbox.enqueueCreate(this.run, id);
    return { alert_id: id, action: 'create', status: status as 'pending' };
  }

  @Post('retry')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: "Retry the alert's Jira actions that Jira refused, once fixed" })
  @ApiOkResponse({ type: JiraRetryDto })
  async retry(@Param() { id }: AlertIdParams): Promise<JiraRetryDto> {
    return { alert_id: id, retried: await this.outbox.retryFailed(this.run, id) };
  }
}
