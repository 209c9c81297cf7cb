import { Controller, Get, Param, Query, UseGuards, UseInterceptors } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AlertQueries } from '../alerts/alert-queries.service';
import { ApiResponseHeadersInterceptor } from './api-response-headers.interceptor';
import { ApiAuthGuard } from './auth/api-auth.guard';
import { ApiThrottlerGuard } from './auth/api-throttler.guard';
import { ActivityPageDto } from './dto/activity.dto';
import { AlertIdParams } from './dto/alert-id.params';
import { AlertSummaryDto } from './dto/alert-summary.dto';
import { AlertDto, AlertPageDto } from './dto/alert.dto';
import { ListAlertsQuery } from './dto/list-alerts.query';
import { OccurrencePageDto } from './dto/occurrence.dto';
import { PageQuery } from './dto/page.query';
import { ApiProblems } from './dto/problem.dto';
import { ACTIVITY_LISTING, alertsListing, OCCURRENCES_LISTING } from './pagination/listings';

/** Reading alerts: any valid token. */
@ApiTags('alerts')
@ApiBearerAuth()
@ApiProblems(400, 401, 429)
@Controller('api/v1/alerts')
@UseGuards(ApiThrottlerGuard, ApiAuthGuard)
@UseInterceptors(ApiResponseHeadersInterceptor)
export class AlertsController {
  constructor(private readonly queries: AlertQueries) {}

  @Get()
  @ApiOperation({ summary: 'List alerts, newest activity first by default' })
  @ApiOkResponse({ type: AlertPageDto })
  async list(@Query() query: ListAlertsQuery): Promise<AlertPageDto> {
    const scope = alertsListing(query.sort, query.order);
    const sort = { by: query.sort, order: query.order };
    const page = await this.queries.list(query.filter(), sort, query.pageRequest(scope));
    return AlertPageDto.from(page, scope);
  }

  // Declared before :id, which would otherwise take "summary" for an id.
  @Get('summary')
  @ApiOperation({ summary: 'Counts by status and severity, and occurrences per minute' })
  @ApiOkResponse({ type: AlertSummaryDto })
  async summary(): Promise<AlertSummaryDto> {
    return AlertSummaryDto.from(await this.queries.summary());
  }

  @Get(':id')
  @ApiOkResponse({ type: AlertDto, headers: { ETag: { description: 'The alert version' } } })
  @ApiProblems(404)
  async get(@Param() { id }: AlertIdParams): Promise<AlertDto> {
    return AlertDto.from(await this.queries.get(id));
  }

  @Get(':id/occurrences')
  @ApiOperation({ summary: "The alert's events, newest event time first" })
  @ApiOkResponse({ type: OccurrencePageDto })
  @ApiProblems(404)
  async occurrences(
    @Param() { id }: AlertIdParams,
    @Query() query: PageQuery,
  ): Promise<OccurrencePageDto> {
    const page = await this.queries.occurrences(id, query.pageRequest(OCCURRENCES_LISTING));
    return OccurrencePageDto.from(page);
  }

  @Get(':id/activity')
  @ApiOperation({ summary: "The alert's history, newest first" })
  @ApiOkResponse({ type: ActivityPageDto })
  @ApiProblems(404)
  async activity(
    @Param() { id }: AlertIdParams,
    @Query() query: PageQuery,
  ): Promise<ActivityPageDto> {
    return ActivityPageDto.from(
      await this.queries.activity(id, query.pageRequest(ACTIVITY_LISTING)),
    );
  }
}
