import dayjs from 'dayjs/esm';
import relativeTime from 'dayjs/esm/plugin/relativeTime';
import type { VNode } from 'preact';
import { view } from './view';

dayjs.extend(relativeTime);

export const exactTime = (iso: string): string => dayjs(iso).format('YYYY-MM-DD HH:mm:ss [UTC]Z');

export const count = (n: number): string => n.toLocaleString('en-US');

/** "3 minutes ago", with the exact time on hover and for assistive technology. */
export function Time({ iso }: { iso: string | null }): VNode {
  if (!iso) return view`<span class="muted">-</span>`;
  return view`<time datetime=${iso} title=${exactTime(iso)}>${dayjs(iso).fromNow()}</time>`;
}

/** group_labels as one line of values, `pos-1 · prod-42`, and with their names for a tooltip. */
export const labelValues = (labels: Record<string, string>): string =>
  Object.values(labels).join(' · ');

export const labelsText = (labels: Record<string, string>): string =>
  Object.entries(labels)
    .map(([key, value]) => `${key}=${value}`)
    .join(' · ');

/** `1 occurrence`, `2 occurrences`; the noun with its leading space. */
export const plural = (n: number, noun: string): string =>
  `${count(n)}${noun}${n === 1 ? '' : 's'}`;
