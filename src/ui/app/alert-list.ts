import type { VNode } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, LifecycleAction, toApiError } from './api';
import { count, labelsText, labelValues, Time } from './format';
import { POLL_MS, useData, useKeys } from './hooks';
import { done, explain, toast } from './messages';
import { followLink, navigate, replaceListSearch } from './router';
import { SEVERITIES, type Alert, type Session, type Severity, type Status } from './types';
import { view } from './view';

/** The list's filters, as they appear in the address bar (defaults left out). */
interface Filters {
  status: 'active' | 'all' | Status;
  severity: '' | Severity;
  issue_code: string;
  service: string;
  q: string;
}

const STATUS_CHOICES: Array<[Filters['status'], string]> = [
  ['active', 'Open + acknowledged'],
  ['open', 'Open'],
  ['acknowledged', 'Acknowledged'],
  ['resolved', 'Resolved'],
  ['all', 'All'],
];

/** Most alerts one list shows; the API's page limit. */
const ACTIVE_LIMIT = 200;
const RESOLVED_LIMIT = 100;

function filtersFrom(search: string): Filters {
  const params = new URLSearchParams(search);
  const status = params.get('status') ?? 'active';
  const severity = params.get('severity') ?? '';
  return {
    status: STATUS_CHOICES.some(([value]) => value === status)
      ? (status as Filters['status'])
      : 'active',
    severity: (SEVERITIES as string[]).includes(severity) ? (severity as Severity) : '',
    issue_code: params.get('issue_code') ?? '',
    service: params.get('service') ?? '',
    q: params.get('q') ?? '',
  };
}

function searchOf(filters: Filters): string {
  const params = new URLSearchParams();
  if (filters.status !== 'active') params.set('status', filters.status);
  for (const key of ['severity', 'issue_code', 'service', 'q'] as const) {
    if (filters[key].trim()) params.set(key, filters[key].trim());
  }
  return params.toString();
}

const STATUS_RANK: Record<Status, number> = { open: 0, acknowledged: 1, resolved: 2 };
const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/** Open first, then by severity, then the most recently seen. */
const byTriageOrder = (a: Alert, b: Alert): number =>
  STATUS_RANK[a.status] - STATUS_RANK[b.status] ||
  SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
  Date.parse(b.last_seen_at) - Date.parse(a.last_seen_at);

/**
 * The API sorts by last_seen_at or occurrences only, so the triage order is applied here. Resolved
 * alerts are fetched apart, so a busy day of resolved ones never pushes an open one off the list.
 */
async function loadAlerts(filters: Filters): Promise<{ items: Alert[]; truncated: boolean }> {
  const statuses: Status[] =
    filters.status === 'active'
      ? ['open', 'acknowledged']
      : filters.status === 'all'
        ? ['open', 'acknowledged', 'resolved']
        : [filters.status];
  const query = (status: Status[], limit: number) => {
    const params = new URLSearchParams({ status: status.join(','), limit: String(limit) });
    for (const key of ['severity', 'issue_code', 'service', 'q'] as const) {
      if (filters[key].trim()) params.set(key, filters[key].trim());
    }
    return api.alerts(params);
  };
  const active = statuses.filter((s) => s !== 'resolved');
  const pages = await Promise.all([
    active.length > 0 ? query(active, ACTIVE_LIMIT) : null,
    statuses.includes('resolved') ? query(['resolved'], RESOLVED_LIMIT) : null,
  ]);
  const items = pages.flatMap((page) => page?.items ?? []);
  return {
    items: items.sort(byTriageOrder),
    truncated: pages.some((page) => page?.next_cursor),
  };
}

/** The action the a and r keys (and the row buttons) take on an alert, if it can take it. */
function allowed(alert: Alert, action: LifecycleAction): boolean {
  if (action === 'acknowledge') return alert.status === 'open';
  if (action === 'resolve') return alert.status !== 'resolved';
  return alert.status === 'resolved';
}

export function AlertList({ search, session }: { search: string; session: Session }): VNode {
  const [filters, setFilters] = useState(() => filtersFrom(search));
  /** Text fields apply a moment after typing stops, not at every key. */
  const [applied, setApplied] = useState(filters);
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [busyId, setBusyId] = useState<string | null>(null);
  const searchBox = useRef<HTMLInputElement>(null);
  const operator = session.role === 'operator';

  useEffect(() => {
    const timer = setTimeout(() => setApplied(filters), 250);
    return () => clearTimeout(timer);
  }, [filters]);
  useEffect(() => replaceListSearch(searchOf(applied)), [applied]);

  const list = useData(() => loadAlerts(applied), searchOf(applied), POLL_MS);
  const alerts = list.data?.items;
  const choices = useMemo(
    () => ({
      codes: [...new Set((alerts ?? []).map((a) => a.issue_code))].sort(),
      services: [
        ...new Set((alerts ?? []).map((a) => a.group_labels.service).filter(Boolean)),
      ].sort(),
    }),
    [alerts],
  );

  const set =
    (key: keyof Filters, now = false) =>
    (event: Event) => {
      const next = { ...filters, [key]: (event.target as HTMLInputElement).value };
      setFilters(next);
      if (now) setApplied(next);
    };

  async function act(alert: Alert, action: LifecycleAction) {
    if (!operator) {
      toast({ kind: 'error', text: 'Your token can only read (viewer role).' });
      return;
    }
    if (!allowed(alert, action)) {
      toast({ kind: 'error', text: `${alert.issue_code} is ${alert.status}; nothing to do.` });
      return;
    }
    setBusyId(alert.id);
    try {
      await api.act(alert.id, action, alert.version);
      toast(done(action, alert.issue_code));
    } catch (err) {
      toast(explain(toApiError(err), alert.version, action));
    } finally {
      setBusyId(null);
      await list.refresh();
    }
  }

  function focusRow(id: string) {
    setSelectedId(id);
    document.querySelector<HTMLElement>(`[data-id="${CSS.escape(id)}"] .row-main`)?.focus();
  }

  useKeys((event) => {
    const items = alerts ?? [];
    const index = items.findIndex((a) => a.id === selectedId);
    const selected = index >= 0 ? items[index] : undefined;
    switch (event.key) {
      case 'j':
      case 'k': {
        if (items.length === 0) return;
        const step = event.key === 'j' ? 1 : -1;
        const next = index < 0 ? 0 : Math.min(items.length - 1, Math.max(0, index + step));
        focusRow(items[next].id);
        break;
      }
      case 'Enter': {
        // On a focused row the link opens itself.
        const target = event.target as HTMLElement;
        if (selected && !['A', 'BUTTON'].includes(target.tagName)) {
          navigate(`/ui/alerts/${selected.id}`);
        }
        return;
      }
      case 'a':
        if (selected) void act(selected, 'acknowledge');
        break;
      case 'r':
        if (selected) void act(selected, 'resolve');
        break;
      case '/':
        searchBox.current?.focus();
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  const updated = list.error ? 'offline: retrying' : list.at ? 'live' : 'loading';

  return view`<section class="list-page" aria-labelledby="list-title">
    <div class="list-head">
      <h1 id="list-title" tabindex="-1">Alerts</h1>
      <p class=${`live live-${list.error ? 'error' : 'ok'}`} title=${list.error?.message ?? ''}>
        ${updated}
      </p>
    </div>
    <form class="filters" role="search" onSubmit=${(e: Event) => e.preventDefault()}>
      <label
        >Status
        <select name="status" value=${filters.status} onChange=${set('status', true)}>
          ${STATUS_CHOICES.map(([value, text]) => view`<option value=${value}>${text}</option>`)}
        </select>
      </label>
      <label
        >Severity
        <select name="severity" value=${filters.severity} onChange=${set('severity', true)}>
          <option value="">Any</option>
          ${SEVERITIES.map((s) => view`<option value=${s}>${s}</option>`)}
        </select>
      </label>
      <label
        >Issue code
        <input
          name="issue_code"
          list="issue-codes"
          value=${filters.issue_code}
          onInput=${set('issue_code')}
          placeholder="any"
        />
      </label>
      <label
        >Service
        <input
          name="service"
          list="services"
          value=${filters.service}
          onInput=${set('service')}
          placeholder="any (exact name)"
        />
      </label>
      <label class="grow"
        >Search
        <input
          name="q"
          type="search"
          ref=${searchBox}
          value=${filters.q}
          onInput=${set('q')}
          placeholder="issue code, service, labels  ( / )"
        />
      </label>
      <datalist id="issue-codes">${choices.codes.map((c) => view`<option value=${c} />`)}</datalist>
      <datalist id="services">${choices.services.map((s) => view`<option value=${s} />`)}</datalist>
    </form>
    <div class="table" role="region" aria-label="Alerts, open first">
      <div class="row row-header" aria-hidden="true">
        <span class="row-main">
          <span>Severity</span><span>Status</span><span>Problem</span>
          <span class="num">Events</span><span class="c-first">First seen</span
          ><span>Last seen</span><span class="c-jira">Jira</span>
        </span>
        ${operator && view`<span class="row-actions"></span>`}
      </div>
      <ol class="rows">
        ${(alerts ?? []).map(
          (alert) =>
            view`<${Row}
              key=${alert.id}
              alert=${alert}
              selected=${alert.id === selectedId}
              busy=${busyId === alert.id}
              operator=${operator}
              onFocus=${() => setSelectedId(alert.id)}
              onAct=${(action: LifecycleAction) => act(alert, action)}
            />`,
        )}
      </ol>
      <p class="list-foot">
        ${
          !alerts
            ? 'Loading alerts…'
            : alerts.length === 0
              ? 'No alerts match these filters.'
              : list.data?.truncated
                ? `Showing ${count(alerts.length)}: the most recently seen of this filter. Narrow it to see others.`
                : `${count(alerts.length)} ${alerts.length === 1 ? 'alert' : 'alerts'}`
        }
      </p>
    </div>
  </section>`;
}

interface RowProps {
  alert: Alert;
  selected: boolean;
  busy: boolean;
  operator: boolean;
  onFocus: () => void;
  onAct: (action: LifecycleAction) => void;
}

function Row({ alert, selected, busy, operator, onFocus, onAct }: RowProps): VNode {
  const labels = labelsText(alert.group_labels);
  return view`<li
    class=${`row status-${alert.status}${selected ? ' selected' : ''}`}
    data-id=${alert.id}
    aria-current=${selected ? 'true' : undefined}
  >
    <a class="row-main" href=${`/ui/alerts/${alert.id}`} onClick=${followLink} onFocus=${onFocus}>
      <span><span class=${`sev sev-${alert.severity}`}>${alert.severity}</span></span>
      <span><span class=${`status st-${alert.status}`}>${alert.status}</span></span>
      <span class="what">
        <strong class="code">${alert.issue_code}</strong>
        <span class="labels" title=${labels}>${labelValues(alert.group_labels)}</span>
      </span>
      <span class="num" title="Occurrences">${count(alert.occurrences)}</span>
      <span class="c-first"><${Time} iso=${alert.first_seen_at} /></span>
      <span class="c-last"><${Time} iso=${alert.last_seen_at} /></span>
      <span class="c-jira">${alert.jira_issue_key ?? ''}</span>
    </a>
    ${
      operator &&
      view`<span class="row-actions">
        ${
          alert.status === 'resolved'
            ? view`<button type="button" disabled=${busy} onClick=${() => onAct('reopen')}>
                Reopen
              </button>`
            : view`<button
                  type="button"
                  disabled=${busy || alert.status !== 'open'}
                  onClick=${() => onAct('acknowledge')}
                  title="Acknowledge (a)"
                >
                  Ack
                </button>
                <button
                  type="button"
                  disabled=${busy}
                  onClick=${() => onAct('resolve')}
                  title="Resolve (r)"
                >
                  Resolve
                </button>`
        }
      </span>`
    }
  </li>`;
}
