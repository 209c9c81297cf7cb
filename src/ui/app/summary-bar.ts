import type { VNode } from 'preact';
import { useMemo } from 'preact/hooks';
import { api } from './api';
import { BarChart } from './chart';
import { count } from './format';
import { POLL_MS, useData } from './hooks';
import { SEVERITIES } from './types';
import { view } from './view';

/** Open alerts by severity and occurrences per minute over the last hour; every slot sized ahead. */
export function SummaryBar(): VNode {
  const { data } = useData(api.summary, 'summary', POLL_MS);
  const series = useMemo(() => {
    const minutes = data?.occurrences_per_minute ?? [];
    return {
      xs: minutes.map((m) => Date.parse(m.minute) / 1000),
      ys: minutes.map((m) => m.count),
      total: minutes.reduce((sum, m) => sum + m.count, 0),
    };
  }, [data]);
  const open = data?.counts.open;
  const acknowledged = data?.counts.acknowledged;
  const acked = acknowledged ? SEVERITIES.reduce((n, s) => n + acknowledged[s], 0) : undefined;

  return view`<div class="summary" aria-label="Summary">
    <ul class="counts" aria-label="Open alerts by severity">
      ${SEVERITIES.map(
        (severity) =>
          view`<li key=${severity} class=${`count count-${severity}`}>
            <span class="count-n" data-testid=${`open-${severity}`}
              >${open ? count(open[severity]) : '-'}</span
            >
            <span class="count-label">${severity}</span>
          </li>`,
      )}
      <li class="count count-acked">
        <span class="count-n">${acked === undefined ? '-' : count(acked)}</span>
        <span class="count-label">acked</span>
      </li>
    </ul>
    <figure class="minute-chart">
      <${BarChart}
        xs=${series.xs}
        ys=${series.ys}
        step=${60}
        height=${40}
        compact=${true}
        label=${`Occurrences per minute over the last hour: ${series.total} in total`}
      />
      <figcaption><span class="count-n">${count(series.total)}</span> events, last hour</figcaption>
    </figure>
  </div>`;
}
