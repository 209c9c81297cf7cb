import {
  Body,
  Controller,
  Delete,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Put,
  UseGuards,
  UseInterceptors,
} from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AlertLifecycleService } from '../alerts/alert-lifecycle.service';
import { AlertQueries } from '../alerts/alert-queries.service';
import { Alert } from '../alerts/alert.entity';
import { ApiResponseHeadersInterceptor } from './api-response-headers.interceptor';
import { Actor } from './auth/actor.decorator';
import { ApiAuthGuard } from './auth/api-auth.guard';
import { ApiThrottlerGuard } from './auth/api-throttler.guard';
import { Roles } from './auth/roles.decorator';
import { AlertIdParams } from './dto/alert-id.params';
import { AlertDto } from './dto/alert.dto';
import { JiraLinkBody } from './dto/jira-link.body';
import { NoteBody } from './dto/note.body';
import { ApiProblems } from './dto/problem.dto';
import { ExpectedVersion } from './if-match';

/** Changing alerts: operator tokens only; the token's name is recorded as the actor. */
@ApiTags('alerts')
@ApiBearerAuth()
@ApiHeader({
  name: 'If-Match',
  required: false,
  description: 'The version the change was decided on ("3", 3 or W/"3"); 412 if it changed',
})
@ApiOkResponse({ type: AlertDto, headers: { ETag: { description: 'The new version' } } })
@ApiProblems(400, 401, 403, 404, 409, 412, 429)
@Controller('api/v1/alerts/:id')
@UseGuards(ApiThrottlerGuard, ApiAuthGuard)
@Roles('operator')
@UseInterceptors(ApiResponseHeadersInterceptor)
export class AlertActionsController {
  constructor(
    private readonly lifecycle: AlertLifecycleService,
    private readonly queries: AlertQueries,
  ) {}

  @Post('acknowledge')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'open -> acknowledged' })
  async acknowledge(
    @Param() { id }: AlertIdParams,
    @Body() { note }: NoteBody,
    @Actor() actor: string,
    @ExpectedVersion() expectedVersion?: number,
  ): Promise<AlertDto> {
    return this.dto(await this.lifecycle.acknowledge(id, actor, { note, expectedVersion }));
  }

  @Post('resolve')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'open or acknowledged -> resolved (reason: manual)' })
  async resolve(
    @Param() { id }: AlertIdParams,
    @Body() { note }: NoteBody,
    @Actor() actor: string,
    @ExpectedVersion() expectedVersion?: number,
  ): Promise<AlertDto> {
    return this.dto(await this.lifecycle.resolve(id, actor, { note, expectedVersion }));
  }

  @Post('reopen')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'resolved -> open; 409 if another alert is open for the problem' })
  async reopen(
    @Param() { id }: AlertIdParams,
    @Body() { note }: NoteBody,
    @Actor() actor: string,
    @ExpectedVersion() expectedVersion?: number,
  ): Promise<AlertDto> {
    return this.dto(await this.lifecycle.reopen(id, actor, { note, expectedVersion }));
  }

  @Put('jira')
  @ApiOperation({ summary: 'Link a Jira issue (replaces a linked one)' })
  async linkJira(
    @Param() { id }: AlertIdParams,
    @Body() { key }: JiraLinkBody,
    @Actor() actor: string,
    @ExpectedVersion() expectedVersion?: number,
  ): Promise<AlertDto> {
    return this.dto(await this.lifecycle.linkJira(id, actor, key, { expectedVersion }));
  }

  @Delete('jira')
  @ApiOperation({ summary: 'Unlink the Jira issue' })
  async unlinkJira(
    @Param() { id }: AlertIdParams,
    @Actor() actor: string,
    @ExpectedVersion() expectedVersion?: number,
  ): Promise<AlertDto> {
    return this.dto(await this.lifecycle.unlinkJira(id, actor, { expectedVersion }));
  }

  /** With the Jira state the change left (a resolve may have queued a transition). */
  private async dto(alert: Alert): Promise<AlertDto> {
    return AlertDto.from(await this.queries.withJiraSync(alert));
  }
}
