import { Inject, Injectable } from '@nestjs/common';
import type { JiraAction, OutboxStatus } from '../alerts/jira-outbox';
import { jiraConfig, JiraConfig } from '../config/configuration';
import { BREAKER_OPEN, BreakerOpen, JiraBreaker } from './jira-breaker';
import { JiraClient, JiraResult } from './jira.client';
import { JiraStatuses } from './jira-statuses';
import {
  alertUrl,
  commentText,
  description,
  labelJql,
  ticketLabels,
  ticketSummary,
  TicketAlert,
} from './jira-ticket';

/** A claimed outbox row. */
export interface OutboxRow {
  id: string;
  alert_id: string;
  action: JiraAction;
  payload: { reason?: string | null; actor?: string; note?: string | null; [key: string]: unknown };
  attempts: number;
}

/** The alert of a row, as the worker reads it. */
export interface SyncAlert extends TicketAlert {
  jiraIssueKey: string | null;
  /** Status of the alert's create row, if it has one. */
  createStatus: OutboxStatus | null;
}

/** What became of a row; the worker records it. */
export type SyncOutcome =
  | {
      kind: 'done';
      payload?: Record<string, unknown>;
      link?: { key: string; how: 'found' | 'created' };
    }
  /** The alert has no ticket yet but will: its create is on its way (or parked, to be retried). */
  | { kind: 'wait'; message: string }
  | { kind: 'transient'; message: string; retryAfterMs: number | null }
  | { kind: 'permanent'; message: string }
  | BreakerOpen;

/** Stops a row's steps at the first call that did not succeed. */
class Stop extends Error {
  constructor(readonly outcome: SyncOutcome) {
    super(`Jira outbox row stopped: ${outcome.kind}`);
  }
}

/**
 * Performs one outbox row against Jira: create (find by label first), resolve and reopen
 * (transitions by name, a comment when the workflow has none), comment. Every call goes through
 * the breaker; nothing here touches the database.
 */
@Injectable()
export class JiraSync {
  constructor(
    private readonly client: JiraClient,
    private readonly breaker: JiraBreaker,
    private readonly statuses: JiraStatuses,
    @Inject(jiraConfig.KEY) private readonly config: JiraConfig,
  ) {}

  async perform(row: OutboxRow, alert: SyncAlert, signal?: AbortSignal): Promise<SyncOutcome> {
    try {
      if (row.action === 'create') return await this.create(alert, signal);
      if (!alert.jiraIssueKey) return noTicket(alert);
      if (row.action === 'comment')
        return await this.stillFiring(alert, alert.jiraIssueKey, signal);
      return await this.transition(row, alert, alert.jiraIssueKey, signal);
    } catch (err) {
      if (err instanceof Stop) return err.outcome;
      throw err;
    }
  }

  private async create(alert: SyncAlert, signal?: AbortSignal): Promise<SyncOutcome> {
    const payload = { occurrences: String(alert.occurrences) };
    // Linked by hand meanwhile: the stored key is the truth.
    if (alert.jiraIssueKey) return { kind: 'done', payload };
    // A ticket created by an attempt that died before storing its key carries the label.
    const found = await this.call(() => this.client.findIssue(labelJql(alert.fingerprint), signal));
    if (found) return { kind: 'done', payload, link: { key: found, how: 'found' } };
    const url = alertUrl(this.config.alertUrlTemplate, alert.id);
    const key = await this.call(() =>
      this.client.createIssue(
        {
          project: { key: this.config.projectKey },
          issuetype: { name: this.config.issueType },
          summary: ticketSummary(alert),
          description: description(this.config.api, alert, url),
          labels: ticketLabels(alert.fingerprint),
        },
        signal,
      ),
    );
    return { kind: 'done', payload, link: { key, how: 'created' } };
  }

  private async transition(
    row: OutboxRow,
    alert: SyncAlert,
    key: string,
    signal?: AbortSignal,
  ): Promise<SyncOutcome> {
    const resolving = row.action === 'resolve';
    const name = resolving ? this.config.resolveTransition : this.config.reopenTransition;
    const moved = await this.transitionByName(key, name, signal);
    const { reason, actor = 'system', note } = row.payload;
    const why = `${reason ? ` (${reason})` : ''} by ${actor}${note ? `: ${note}` : ''}`;
    // Reopening always says why; resolving only when the ticket could not follow.
    if (!resolving || !moved) {
      const lines = [`StackLens ${resolving ? 'resolved' : 'reopened'} this alert${why}.`];
      if (!moved) {
        lines.push(
          `The workflow offers no "${name}" transition here; the status was left as it is.`,
        );
      }
      lines.push(alertUrl(this.config.alertUrlTemplate, alert.id) ?? '');
      await this.call(() => this.client.comment(key, commentText(this.config.api, lines), signal));
    }
    return { kind: 'done', payload: { transitioned: moved } };
  }

  private async stillFiring(alert: SyncAlert, key: string, signal?: AbortSignal) {
    const lines = [
      `StackLens: still firing, ${String(alert.occurrences)} occurrences so far; last seen ${alert.lastSeenAt.toISOString()}.`,
      alertUrl(this.config.alertUrlTemplate, alert.id) ?? '',
    ];
    await this.call(() => this.client.comment(key, commentText(this.config.api, lines), signal));
    return { kind: 'done' as const, payload: { occurrences: String(alert.occurrences) } };
  }

  /** Whether the issue moved: false when no transition of that name (or to a status of it) exists. */
  private async transitionByName(key: string, name: string, signal?: AbortSignal) {
    const transitions = await this.call(() => this.client.transitions(key, signal));
    for (const t of transitions) this.statuses.learn(t.to);
    const wanted = name.toLowerCase();
    const match =
      transitions.find((t) => t.name.toLowerCase() === wanted) ??
      transitions.find((t) => t.to?.name?.toLowerCase() === wanted);
    if (!match) return false;
    await this.call(() => this.client.transition(key, match.id, signal));
    return true;
  }

  /** The body of a successful call; anything else stops the row with its outcome. */
  private async call<T>(work: () => Promise<JiraResult<T>>): Promise<T> {
    const result = await this.breaker.call(work);
    if (result.kind === 'ok') return result.body;
    if (result.kind === 'open') throw new Stop(BREAKER_OPEN);
    if (result.kind === 'permanent') throw new Stop({ kind: 'permanent', message: result.message });
    throw new Stop({
      kind: 'transient',
      message: result.message,
      retryAfterMs: result.retryAfterMs,
    });
  }
}

/** A transition or comment for an alert without a ticket: wait for its create, or drop it. */
function noTicket(alert: SyncAlert): SyncOutcome {
  if (alert.createStatus === 'pending' || alert.createStatus === 'failed') {
    return { kind: 'wait', message: 'the ticket is not created yet' };
  }
  return { kind: 'done', payload: { skipped: 'the alert has no ticket' } };
}
