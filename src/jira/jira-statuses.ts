import { Inject, Injectable } from '@nestjs/common';
import { jiraConfig, JiraConfig } from '../config/configuration';
import type { JiraStatusRef } from './jira.client';

/** Workflows rarely have more statuses than this; the cap only guards against a flood. */
const MAX_KNOWN = 1_000;

/**
 * Which Jira statuses are in the done category. A webhook says the category of the status an issue
 * moved to, not of the one it left, so what the service has seen (webhooks, transition lists) is
 * remembered here; a status never seen counts as done only by name (Done, Closed, Resolved, or
 * the name of JIRA_RESOLVE_TRANSITION). Asking Jira would make the webhook depend on Jira.
 */
@Injectable()
export class JiraStatuses {
  private readonly doneById = new Map<string, boolean>();
  private readonly doneNames = new Set<string>(['done', 'closed', 'resolved']);

  constructor(@Inject(jiraConfig.KEY) config: Pick<JiraConfig, 'resolveTransition'>) {
    this.doneNames.add(config.resolveTransition.toLowerCase());
  }

  learn(status: JiraStatusRef | undefined): void {
    const category = status?.statusCategory?.key;
    if (!status?.id || !category || this.doneById.size >= MAX_KNOWN) return;
    this.doneById.set(status.id, category === 'done');
    if (category === 'done' && status.name) this.doneNames.add(status.name.toLowerCase());
  }

  wasDone(status: { id?: string; name?: string }): boolean {
    const known = status.id === undefined ? undefined : this.doneById.get(status.id);
    if (known !== undefined) return known;
    return status.name !== undefined && this.doneNames.has(status.name.toLowerCase());
  }
}
