/**
 * What a ticket says, as pure functions: summary, description (Atlassian Document Format for
 * Cloud, wiki markup for Data Center), labels, the JQL that finds a ticket again, comments.
 */

/** The alert as a ticket shows it. */
export interface TicketAlert {
  id: string;
  fingerprint: string;
  issueCode: string;
  severity: string;
  groupLabels: Record<string, string>;
  /** The opening event's service, for alerts whose group labels do not name one. */
  service: string | null;
  suggestedFix: string;
  occurrences: string | number;
  firstSeenAt: Date;
  lastSeenAt: Date;
  /** The event that opened the alert (possibly in truncated form). */
  firstEvent: unknown;
}

export type Flavour = 'cloud' | 'datacenter';

export interface AdfNode {
  type: string;
  attrs?: Record<string, unknown>;
  marks?: Array<{ type: string; attrs?: Record<string, unknown> }>;
  content?: AdfNode[];
  text?: string;
}

export interface AdfDoc {
  type: 'doc';
  version: 1;
  content: AdfNode[];
}

/** Rich text as the flavour takes it. */
export type JiraText = AdfDoc | string;

export const STACKLENS_LABEL = 'stacklens';
const SUMMARY_MAX = 255;
/** Jira's text fields hold 32767 characters; the event gets what the rest leaves, and then some. */
const EVENT_MAX = 16_000;

/** `stacklens-` and the first 16 hex characters of the fingerprint: how a ticket is found again. */
export const fingerprintLabel = (fingerprint: string): string =>
  `${STACKLENS_LABEL}-${fingerprint.slice(0, 16).toLowerCase()}`;

export const ticketLabels = (fingerprint: string): string[] => [
  STACKLENS_LABEL,
  fingerprintLabel(fingerprint),
];

/** Oldest first: should two tickets carry the label, the first one is the alert's. */
export const labelJql = (fingerprint: string): string =>
  `labels = "${fingerprintLabel(fingerprint)}" ORDER BY created ASC`;

export const alertUrl = (template: string | null, alertId: string): string | null =>
  template ? template.replaceAll('{id}', encodeURIComponent(alertId)) : null;

/** `[critical] PRICE_MISSING on pos-demo (product prod-42)`: one line, at most 255 characters. */
export function ticketSummary(alert: TicketAlert): string {
  const labels = alert.groupLabels;
  const service = labels.service ?? alert.service;
  let summary = `[${alert.severity}] ${alert.issueCode}`;
  if (service && service !== 'none') summary += ` on ${service}`;
  const details =
    labels.overflow === 'true'
      ? [`storm overflow of ${labels.detector ?? 'a detector'}`]
      : Object.entries(labels)
          .filter(([field, value]) => field !== 'service' && value !== 'none')
          .filter(([, value]) => value !== alert.issueCode)
          .map(([field, value]) => `${fieldName(field)} ${value}`);
  if (details.length > 0) summary += ` (${details.join(', ')})`;
  return oneLine(summary, SUMMARY_MAX);
}

/** product_id -> product, error_code -> error code. */
const fieldName = (field: string): string => field.replace(/_id$/, '').replace(/_/g, ' ');

function oneLine(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** The facts a description lists, label and value. */
function facts(alert: TicketAlert, url: string | null): Array<[string, string]> {
  const labels = Object.entries(alert.groupLabels)
    .map(([field, value]) => `${field}=${value}`)
    .join(', ');
  return [
    ['Group labels', labels || 'none'],
    ['Occurrences', String(alert.occurrences)],
    ['First seen', alert.firstSeenAt.toISOString()],
    ['Last seen', alert.lastSeenAt.toISOString()],
    ['Fingerprint', alert.fingerprint],
    ...(url ? ([['Alert', url]] as Array<[string, string]>) : []),
  ];
}

function eventJson(event: unknown): string {
  const json = JSON.stringify(event, null, 2) ?? 'null';
  return json.length <= EVENT_MAX
    ? json
    : `${json.slice(0, EVENT_MAX)}\n… (cut at ${EVENT_MAX} characters)`;
}

const text = (value: string, marks?: AdfNode['marks']): AdfNode =>
  // Jira refuses empty text nodes.
  ({ type: 'text', text: value === '' ? ' ' : value, ...(marks ? { marks } : {}) });
const strong = (value: string): AdfNode => text(value, [{ type: 'strong' }]);
const paragraph = (...content: AdfNode[]): AdfNode => ({ type: 'paragraph', content });

/** Cloud: ADF with the suggested fix, the facts, a link to the alert and the first event. */
export function adfDescription(alert: TicketAlert, url: string | null): AdfDoc {
  const items = facts(alert, url).map(([label, value]) => ({
    type: 'listItem',
    content: [
      paragraph(
        strong(`${label}: `),
        label === 'Alert' ? text(value, [{ type: 'link', attrs: { href: value } }]) : text(value),
      ),
    ],
  }));
  return {
    type: 'doc',
    version: 1,
    content: [
      paragraph(strong('Suggested fix: '), text(alert.suggestedFix || 'none')),
      { type: 'bulletList', content: items },
      paragraph(strong('First event')),
      {
        type: 'codeBlock',
        attrs: { language: 'json' },
        content: [text(eventJson(alert.firstEvent))],
      },
    ],
  };
}

/** Data Center: the same in wiki markup. */
export function wikiDescription(alert: TicketAlert, url: string | null): string {
  const list = facts(alert, url).map(([label, value]) =>
    label === 'Alert' ? `* *${label}:* [${value}]` : `* *${label}:* ${value}`,
  );
  // A literal {code} in the event would end the block early.
  const event = eventJson(alert.firstEvent).replace(/\{code/g, '{ code');
  return [
    `*Suggested fix:* ${alert.suggestedFix || 'none'}`,
    '',
    ...list,
    '',
    '*First event*',
    '{code:json}',
    event,
    '{code}',
  ].join('\n');
}

export function description(flavour: Flavour, alert: TicketAlert, url: string | null): JiraText {
  return flavour === 'cloud' ? adfDescription(alert, url) : wikiDescription(alert, url);
}

/** A comment of one paragraph per line. */
export function commentText(flavour: Flavour, lines: string[]): JiraText {
  const kept = lines.filter((line) => line !== '');
  if (flavour === 'datacenter') return kept.join('\n');
  return { type: 'doc', version: 1, content: kept.map((line) => paragraph(text(line))) };
}
