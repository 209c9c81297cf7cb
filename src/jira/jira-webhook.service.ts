import { Inject, Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { AlertNotFoundError, FingerprintAlreadyOpenError } from '../alerts/alert-lifecycle.errors';
import { AlertLifecycleService } from '../alerts/alert-lifecycle.service';
import { JIRA_ACTOR } from '../alerts/jira-outbox';
import { jiraConfig, JiraConfig } from '../config/configuration';
import { AlertStatus, ResolutionReason } from '../events/alert.enums';
import type { JiraStatusRef } from './jira.client';
import { JiraStatuses } from './jira-statuses';
import { verifyJiraSignature } from './jira-signature';

/** A status change of an issue, as a `jira:issue_updated` webhook reports it. */
export interface StatusChange {
  key: string;
  /** The status it moved to is in the done category. */
  done: boolean;
  current: JiraStatusRef | undefined;
  /** The status it left. */
  from: { id?: string; name?: string };
  /** The resolution was cleared too, which workflows do when an issue leaves done. */
  resolutionCleared: boolean;
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const own = (item: Json, name: string): unknown =>
  Object.prototype.hasOwnProperty.call(item, name) ? item[name] : undefined;
const optionalString = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** The status change a webhook reports, or null for anything else (other events, other fields). */
export function statusChangeOf(payload: unknown): StatusChange | null {
  if (!isObject(payload) || payload.webhookEvent !== 'jira:issue_updated') return null;
  const issue = isObject(payload.issue) ? payload.issue : {};
  const key = optionalString(issue.key);
  const items = isObject(payload.changelog) ? payload.changelog.items : undefined;
  if (!key || !Array.isArray(items)) return null;
  const changes = items.filter(isObject);
  const status = changes.find(
    (i) => own(i, 'fieldId') === 'status' || own(i, 'field') === 'status',
  );
  if (!status) return null;
  const fields = isObject(issue.fields) ? issue.fields : {};
  const current = isObject(fields.status) ? (fields.status as JiraStatusRef) : undefined;
  const resolution = changes.find((i) => own(i, 'field') === 'resolution');
  return {
    key,
    done: current?.statusCategory?.key === 'done',
    current,
    from: {
      id: optionalString(own(status, 'from')),
      name: optionalString(own(status, 'fromString')),
    },
    resolutionCleared:
      resolution !== undefined && !!own(resolution, 'from') && !own(resolution, 'to'),
  };
}

/**
 * Sync in: a ticket moved to done resolves its alerts (reason and actor `jira`), a ticket moved
 * out of done reopens them. Echoes of the service's own transitions find the alert already there
 * and change nothing; a move between two statuses that are not done is ignored.
 */
@Injectable()
export class JiraWebhookService {
  private readonly logger = new Logger(JiraWebhookService.name);

  constructor(
    private readonly dataSource: DataSource,
    @Inject(jiraConfig.KEY) private readonly config: JiraConfig,
    private readonly lifecycle: AlertLifecycleService,
    private readonly statuses: JiraStatuses,
  ) {}

  verify(rawBody: Buffer | undefined, signature: string | undefined): boolean {
    return (
      this.config.enabled && verifyJiraSignature(this.config.webhookSecret, rawBody, signature)
    );
  }

  /** Applies a verified webhook; how many alerts it changed. */
  async handle(payload: unknown): Promise<number> {
    const change = statusChangeOf(payload);
    if (!change) return 0;
    this.statuses.learn(change.current);
    const alerts = await this.dataSource.query<Array<{ id: string; status: AlertStatus }>>(
      `SELECT id, status FROM alerts WHERE jira_issue_key = $1 ORDER BY created_at`,
      [change.key],
    );
    const leftDone =
      !change.done && (change.resolutionCleared || this.statuses.wasDone(change.from));
    let changed = 0;
    for (const alert of alerts) {
      const resolve = change.done && alert.status !== AlertStatus.RESOLVED;
      const reopen = leftDone && alert.status === AlertStatus.RESOLVED;
      if (!resolve && !reopen) continue;
      try {
        if (resolve) {
          await this.lifecycle.resolve(alert.id, JIRA_ACTOR, {
            reason: ResolutionReason.JIRA,
            ifNotAlready: true,
          });
        } else {
          await this.lifecycle.reopen(alert.id, JIRA_ACTOR, { reason: 'jira', ifNotAlready: true });
        }
        changed++;
        this.logger.log({
          msg: resolve ? 'alert resolved from Jira' : 'alert reopened from Jira',
          alert_id: alert.id,
          key: change.key,
        });
      } catch (err) {
        if (!(err instanceof FingerprintAlreadyOpenError || err instanceof AlertNotFoundError)) {
          throw err;
        }
        this.logger.log({
          msg: 'Jira webhook not applied',
          alert_id: alert.id,
          key: change.key,
          reason: err.message,
        });
      }
    }
    return changed;
  }
}
