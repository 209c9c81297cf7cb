import type { VNode } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, LifecycleAction, toApiError } from './api';
import { BarChart } from './chart';
import { count, plural, Time } from './format';
import { POLL_MS, useData, useKeys } from './hooks';
import { done, explain, type Message } from './messages';
import { JiraPanel } from './jira-panel';
import { MessageLine } from './message-line';
import { OccurrenceList } from './occurrence-list';
import { followLink, lastListHref, navigate } from './router';
import type { Activity, Alert, Occurrence, Session } from './types';
import { view } from './view';

/** Occurrences fetched for the timeline and the list: the API's largest page. */
const OCCURRENCE_LIMIT = 200;
const ACTIVITY_LIMIT = 100;

const ACTIONS: Array<{
  action: LifecycleAction;
  label: string;
  key?: string;
  when: Alert['status'][];
}> = [
  { action: 'acknowledge', label: 'Acknowledge', key: 'a', when: ['open'] },
  { action: 'resolve', label: 'Resolve', key: 'r', when: ['open', 'acknowledged'] },
  { action: 'reopen', label: 'Reopen', when: ['resolved'] },
];

export function AlertPage({ id, session }: { id: string; session: Session }): VNode {
  const alert = useData(() => api.alert(id), id, POLL_MS);
  const current = alert.data;
  // Occurrences and history change only when the alert does: fetched again on a new version,
  // a new occurrence count or a new last event, not at every poll.
  const changeKey = current
    ? `${current.version}:${current.occurrences}:${current.last_seen_at}`
    : '';
  const occurrences = useData(() => api.occurrences(id, OCCURRENCE_LIMIT), `${id}:${changeKey}`);
  const activity = useData(() => api.activity(id, ACTIVITY_LIMIT), `${id}:${changeKey}`);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<Message | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  const operator = session.role === 'operator';

  useEffect(() => heading.current?.focus(), [Boolean(current)]);

  async function act(action: LifecycleAction) {
    if (!current || busy || !operator) return;
    if (!ACTIONS.find((a) => a.action === action)!.when.includes(current.status)) return;
    setBusy(true);
    setMessage(null);
    try {
      alert.set(await api.act(id, action, current.version, note.trim() || undefined));
      setNote('');
      setMessage(done(action, 'Alert'));
    } catch (err) {
      setMessage(explain(toApiError(err), current.version, action));
      await alert.refresh();
    } finally {
      setBusy(false);
    }
  }

  useKeys((event) => {
    if (event.key === 'a') void act('acknowledge');
    else if (event.key === 'r') void act('resolve');
    else if (event.key === 'Escape') navigate(lastListHref());
    else return;
    event.preventDefault();
  });

  if (!current) {
    const text = alert.error
      ? alert.error.status === 404
        ? 'No such alert.'
        : alert.error.message
      : 'Loading…';
    return view`<section class="alert-page">
      <nav class="crumbs"><a href=${lastListHref()} onClick=${followLink}>← Alerts</a></nav>
      <p class=${alert.error ? 'error' : 'muted'} role=${alert.error ? 'alert' : 'status'}>
        ${text}
      </p>
    </section>`;
  }

  const noun = current.occurrences === 1 ? 'occurrence' : 'occurrences';
  return view`<article class="alert-page" aria-labelledby="alert-title">
    <nav class="crumbs"><a href=${lastListHref()} onClick=${followLink}>← Alerts</a></nav>
    <header class="alert-head">
      <h1 id="alert-title" tabindex="-1" ref=${heading}>
        <span class=${`sev sev-${current.severity}`}>${current.severity}</span>
        <span class="code">${current.issue_code}</span>
        <span class=${`status st-${current.status}`} data-testid="alert-status"
          >${current.status}</span
        >
      </h1>
      <p class="facts">
        <span><strong>${count(current.occurrences)}</strong> ${noun}</span>
        <span>first seen <${Time} iso=${current.first_seen_at} /></span>
        <span>last seen <${Time} iso=${current.last_seen_at} /></span>
        ${
          current.reopen_count > 0 &&
          view`<span data-testid="reopen-count">reopened ${current.reopen_count}×</span>`
        }
        <${StatusLine} alert=${current} />
      </p>
    </header>
    <section class="fix" aria-labelledby="fix-title">
      <h2 id="fix-title">Suggested fix</h2>
      <p>${current.suggested_fix}</p>
    </section>
    <div class="columns">
      <div class="main-col">
        <${Timeline} occurrences=${occurrences.data?.items} total=${current.occurrences} />
        <${OccurrenceList} occurrences=${occurrences.data?.items} />
      </div>
      <aside class="side-col">
        ${
          operator &&
          view`<section class="panel actions" aria-labelledby="act-title">
            <h2 id="act-title">Act</h2>
            <label for="note">Note for the history (optional)</label>
            <textarea
              id="note"
              rows="2"
              maxlength="2000"
              value=${note}
              onInput=${(e: Event) => setNote((e.target as HTMLTextAreaElement).value)}
            ></textarea>
            <div class="buttons">
              ${ACTIONS.filter((a) => a.when.includes(current.status)).map(
                (a) =>
                  view`<button
                    type="button"
                    class=${a.action === 'reopen' ? '' : 'primary'}
                    disabled=${busy}
                    onClick=${() => act(a.action)}
                    title=${a.key ? `${a.label} (${a.key})` : a.label}
                  >
                    ${a.label}
                  </button>`,
              )}
            </div>
            <${MessageLine} message=${message} />
          </section>`
        }
        <${GroupPanel} alert=${current} />
        <${JiraPanel} alert=${current} operator=${operator} onChanged=${alert.set} />
        <${ActivityPanel} items=${activity.data?.items} />
      </aside>
    </div>
  </article>`;
}

function StatusLine({ alert }: { alert: Alert }): VNode | null {
  if (alert.status === 'acknowledged' && alert.acknowledged_by) {
    return view`<span>acknowledged by ${alert.acknowledged_by}</span>`;
  }
  if (alert.status === 'resolved') {
    const by = alert.resolved_by ? ` by ${alert.resolved_by}` : '';
    const why = alert.resolution_reason ? ` (${alert.resolution_reason})` : '';
    return view`<span>${`resolved${by}${why}`}</span>`;
  }
  return null;
}

/** Why these events were grouped: the detector and the values they all share. */
function GroupPanel({ alert }: { alert: Alert }): VNode {
  const why = alert.overflow
    ? `Detector ${alert.detector} found more new problems than the storm guard allows; this ` +
      `alert counts the ${count(alert.folded_fingerprints)} it folded, which agree on:`
    : `Detector ${alert.detector} counts the events that agree on these values as one problem:`;
  return view`<section class="panel" aria-labelledby="group-title">
    <h2 id="group-title">Why these events are grouped</h2>
    <p>${why}</p>
    <dl class="labels-list">
      ${Object.entries(alert.group_labels).map(
        ([key, value]) =>
          view`<div key=${key}>
            <dt>${key}</dt>
            <dd>${value}</dd>
          </div>`,
      )}
    </dl>
  </section>`;
}

const BUCKETS = [60, 300, 900, 3600, 6 * 3600, 86400];

/** The fetched occurrences per time bucket, sized so the span gives about 30 bars. */
function Timeline({ occurrences, total }: { occurrences?: Occurrence[]; total: number }): VNode {
  const series = useMemo(() => {
    const times = (occurrences ?? []).map((o) => Date.parse(o.event_time) / 1000);
    if (times.length === 0) return { xs: [], ys: [], bucket: 60 };
    const first = Math.min(...times);
    const last = Math.max(...times);
    const bucket = BUCKETS.find((b) => (last - first) / b <= 40) ?? 7 * 86400;
    const start = Math.floor(first / bucket) * bucket;
    const bars = Math.floor((last - start) / bucket) + 1;
    const xs = Array.from({ length: bars }, (_, i) => start + i * bucket);
    const ys = xs.map(() => 0);
    for (const t of times) ys[Math.floor((t - start) / bucket)]++;
    return { xs, ys, bucket };
  }, [occurrences]);
  const shown = occurrences?.length ?? 0;
  const bars = series.bucket < 3600 ? `${series.bucket / 60} min` : `${series.bucket / 3600} h`;
  const which =
    shown < total
      ? `The latest ${count(shown)} of ${count(total)} occurrences`
      : `All ${plural(total, ' occurrence')}`;
  return view`<section class="panel" aria-labelledby="timeline-title">
    <h2 id="timeline-title">Occurrences over time</h2>
    <${BarChart}
      xs=${series.xs}
      ys=${series.ys}
      step=${series.bucket}
      height=${140}
      label=${`${which} in bars of ${bars}`}
    />
    <p class="caption">${`${which}, in bars of ${bars} of event time.`}</p>
  </section>`;
}

const ACTION_TEXT: Record<string, string> = {
  opened: 'opened',
  acknowledged: 'acknowledged',
  resolved: 'resolved',
  reopened: 'reopened',
  jira_linked: 'linked a Jira issue',
  jira_unlinked: 'unlinked the Jira issue',
};

function activityText(a: Activity): string {
  const change =
    a.from_status && a.from_status !== a.to_status ? ` (${a.from_status} → ${a.to_status})` : '';
  return `${ACTION_TEXT[a.action] ?? a.action}${change}${a.reason ? ` · ${a.reason}` : ''}`;
}

function ActivityPanel({ items }: { items?: Activity[] }): VNode {
  return view`<section class="panel" aria-labelledby="activity-title">
    <h2 id="activity-title">Activity</h2>
    <ol class="activity">
      ${(items ?? []).map(
        (a) =>
          view`<li key=${a.id} data-action=${a.action}>
            <div class="activity-line">
              <strong>${a.actor}</strong>
              <span>${activityText(a)}</span>
              <span class="activity-at"><${Time} iso=${a.at} /></span>
            </div>
            ${a.note && view`<blockquote>${a.note}</blockquote>`}
          </li>`,
      )}
    </ol>
    ${items && items.length === 0 && view`<p class="muted">Nothing yet.</p>`}
  </section>`;
}
