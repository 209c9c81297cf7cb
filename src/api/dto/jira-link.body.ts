import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

/** Project key (a letter, then up to 9 letters, digits or _), dash, issue number. */
const JIRA_KEY = /^[A-Z][A-Z0-9_]{0,9}-[1-9][0-9]{0,9}$/;

export class JiraLinkBody {
  @ApiProperty({ example: 'OPS-123', pattern: JIRA_KEY.source })
  @IsString()
  @Matches(JIRA_KEY, { message: 'key must be a Jira issue key such as OPS-123' })
  key: string;
}
