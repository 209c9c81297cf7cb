import type { VNode } from 'preact';
import { useState } from 'preact/hooks';
import { api, toApiError } from './api';
import { MessageLine } from './message-line';
import { explain, type Message } from './messages';
import type { Alert } from './types';
import { view } from './view';

/** Only an http(s) address becomes a link: never javascript: or data: from an API value. */
const safeUrl = (url: string | null | undefined): string | null =>
  url && /^https?:\/\//i.test(url) ? url : null;

const SYNC_TEXT: Record<string, string> = {
  pending: 'Waiting to reach Jira…',
  done: 'Jira is up to date.',
  failed: 'Jira refused the last change:',
};

interface JiraPanelProps {
  alert: Alert;
  operator: boolean;
  onChanged: (alert: Alert) => void;
}

/**
 * The alert's ticket: shown, linked by key, unlinked, or created (and retried) by the service's
 * Jira integration. Where the service has no such endpoint, its problem is shown as it is.
 */
export function JiraPanel({ alert, operator, onChanged }: JiraPanelProps): VNode {
  const [key, setKey] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message | null>(null);
  const url = safeUrl(alert.jira_url);
  const sync = alert.jira_sync_status ? SYNC_TEXT[alert.jira_sync_status] : undefined;

  async function run(change: () => Promise<unknown>, ok: string) {
    setBusy(true);
    setMessage(null);
    try {
      const answer = await change();
      const changed =
        answer && typeof answer === 'object' && 'version' in answer
          ? (answer as Alert)
          : await api.alert(alert.id);
      onChanged(changed);
      setMessage({ kind: 'ok', text: ok });
      setKey('');
    } catch (err) {
      setMessage(explain(toApiError(err), alert.version));
    } finally {
      setBusy(false);
    }
  }

  const link = (event: Event) => {
    event.preventDefault();
    const wanted = key.trim().toUpperCase();
    void run(() => api.linkJira(alert.id, wanted, alert.version), `Linked ${wanted}.`);
  };

  const ticket = alert.jira_issue_key
    ? url
      ? view`<a href=${url} target="_blank" rel="noopener noreferrer">${alert.jira_issue_key}</a>`
      : view`<strong>${alert.jira_issue_key}</strong>`
    : null;

  return view`<section class="panel" aria-labelledby="jira-title">
    <h2 id="jira-title">Jira</h2>
    <p data-testid="jira-key">${ticket ? view`<span>Ticket </span>${ticket}` : 'No ticket linked.'}</p>
    ${sync && view`<p class="muted" data-testid="jira-sync">${sync}</p>`}
    ${alert.jira_sync_error && view`<p class="error">${alert.jira_sync_error}</p>`}
    ${
      operator &&
      view`<form class="jira-form" onSubmit=${link}>
        <label for="jira-key">${alert.jira_issue_key ? 'Link another key' : 'Link an issue key'}</label>
        <div class="inline">
          <input
            id="jira-key"
            name="key"
            placeholder="OPS-123"
            pattern="[A-Za-z][A-Za-z0-9_]{0,9}-[1-9][0-9]{0,9}"
            title="A Jira issue key such as OPS-123"
            autocomplete="off"
            required
            value=${key}
            onInput=${(e: Event) => setKey((e.target as HTMLInputElement).value)}
          />
          <button type="submit" disabled=${busy}>Link</button>
        </div>
      </form>
      <div class="buttons">
        ${
          alert.jira_issue_key
            ? view`<button
              type="button"
              disabled=${busy}
              onClick=${() => run(() => api.unlinkJira(alert.id, alert.version), 'Unlinked.')}
            >Unlink</button>`
            : view`<button
              type="button"
              disabled=${busy}
              onClick=${() => run(() => api.createJira(alert.id), 'Ticket requested.')}
            >Create ticket</button>`
        }
        ${
          alert.jira_sync_status === 'failed' &&
          view`<button
          type="button"
          disabled=${busy}
          onClick=${() => run(() => api.retryJira(alert.id), 'Sent to Jira again.')}
        >Retry</button>`
        }
      </div>
      <${MessageLine} message=${message} />`
    }
  </section>`;
}
