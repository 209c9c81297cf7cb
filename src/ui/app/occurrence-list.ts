import type { VNode } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { count, Time } from './format';
import { toast } from './messages';
import type { Occurrence } from './types';
import { view } from './view';

const PAGE = 20;

/**
 * The alert's latest events, each raw event pretty-printed (as text: Preact escapes it) and
 * copyable. Events that arrive while the page is open wait behind a button instead of pushing
 * what the reader is looking at down the page.
 */
export function OccurrenceList({ occurrences }: { occurrences?: Occurrence[] }): VNode {
  const [headId, setHeadId] = useState<string | null>(null);
  const [shown, setShown] = useState(PAGE);
  const all = occurrences ?? [];
  const headAt = headId === null ? 0 : all.findIndex((o) => o.event_id === headId);
  const newer = headAt > 0 ? headAt : 0;
  // The first time, and when the event shown first is gone from the latest page, show from the top.
  useEffect(() => {
    if (all.length > 0 && (headId === null || headAt < 0)) setHeadId(all[0].event_id);
  }, [all, headId, headAt]);
  const visible = all.slice(newer, newer + shown);

  return view`<section class="panel" aria-labelledby="events-title">
    <h2 id="events-title">Recent occurrences</h2>
    <div class="newer">
      ${
        newer > 0
          ? view`<button type="button" onClick=${() => setHeadId(all[0].event_id)}>
            ${`Show ${count(newer)} newer ${newer === 1 ? 'occurrence' : 'occurrences'}`}
          </button>`
          : view`<span class="muted">Newest first, by event time</span>`
      }
    </div>
    <ol class="events">
      ${visible.map(
        (o, i) => view`<${EventItem} key=${o.event_id} occurrence=${o} open=${i === 0} />`,
      )}
    </ol>
    ${all.length === 0 && view`<p class="muted">${occurrences ? 'None kept.' : 'Loading…'}</p>`}
    ${
      all.length > newer + shown &&
      view`<button type="button" onClick=${() => setShown(shown + PAGE)}>Show more</button>`
    }
  </section>`;
}

function EventItem({ occurrence, open }: { occurrence: Occurrence; open: boolean }): VNode {
  const json = JSON.stringify(occurrence.event, null, 2);
  const message = occurrence.event.message;
  return view`<li class="event">
    <div class="event-head">
      <${Time} iso=${occurrence.event_time} />
      <span class="muted">received <${Time} iso=${occurrence.received_at} /></span>
      <code class="muted"
        >${occurrence.source_topic}/${occurrence.source_partition}@${occurrence.source_offset}</code
      >
    </div>
    ${typeof message === 'string' && view`<p class="event-message">${message}</p>`}
    <details open=${open}>
      <summary>Raw event</summary>
      <pre class="raw" tabindex="0">${json}</pre>
      <button type="button" onClick=${() => copy(json)}>Copy JSON</button>
    </details>
  </li>`;
}

async function copy(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    toast({ kind: 'ok', text: 'Raw event copied.' });
  } catch {
    toast({ kind: 'error', text: 'The browser refused the clipboard; select the text instead.' });
  }
}
