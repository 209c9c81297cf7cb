/** How a Jira answer is read: ok, worth retrying, or for a person to fix. */

/**
 * A Jira answer, classified: `transient` is worth retrying (network, timeout, 5xx, 429 and a few
 * other "try again" statuses), `permanent` needs a person (400, 401, 403, 404: bad project,
 * credentials, permissions, a deleted issue), with Jira's own error messages.
 */
export type JiraResult<T> =
  | { kind: 'ok'; status: number; body: T }
  | { kind: 'transient'; status: number | null; message: string; retryAfterMs: number | null }
  | { kind: 'permanent'; status: number; message: string };

export type JiraFailure = Exclude<JiraResult<unknown>, { kind: 'ok' }>;

/** A Retry-After longer than this is taken as this: a bogus date must not park a row for years. */
const MAX_RETRY_AFTER_MS = 3_600_000;
const TRANSIENT_4XX = new Set([408, 409, 423, 425, 429]);
const MAX_MESSAGE = 1_000;

/** Retry-After in milliseconds, from delay-seconds or an HTTP-date; null when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  const text = value?.trim();
  if (!text) return null;
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1_000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.min(Math.max(0, at - now), MAX_RETRY_AFTER_MS);
}

/** Jira's `errorMessages` and `errors` (field: message), joined; else the start of the body. */
export function jiraErrorMessage(status: number, body: string): string {
  let parts: string[] = [];
  try {
    const parsed = JSON.parse(body) as { errorMessages?: unknown; errors?: unknown };
    if (Array.isArray(parsed.errorMessages)) parts = parsed.errorMessages.map(String);
    if (parsed.errors && typeof parsed.errors === 'object') {
      for (const [field, message] of Object.entries(parsed.errors)) {
        parts.push(`${field}: ${String(message)}`);
      }
    }
  } catch {
    // not JSON: an HTML error page from a proxy, say
  }
  const detail = parts.filter(Boolean).join('; ') || body.replace(/\s+/g, ' ').trim();
  const message = detail ? `HTTP ${status}: ${detail}` : `HTTP ${status}`;
  return message.length <= MAX_MESSAGE ? message : `${message.slice(0, MAX_MESSAGE - 1)}…`;
}

/** Classifies an answer that arrived; `body` is its text. */
export function classify<T>(
  status: number,
  headers: Headers,
  body: string,
  now = Date.now(),
): JiraResult<T> {
  if (status >= 200 && status < 300) {
    let parsed: unknown = null;
    try {
      parsed = body ? JSON.parse(body) : null;
    } catch {
      // a 2xx without JSON: callers check the shape they need
    }
    return { kind: 'ok', status, body: parsed as T };
  }
  if (status >= 300 && status < 400) {
    const message = `HTTP ${status}: Jira redirected to ${headers.get('location') ?? 'another address'}; check JIRA_BASE_URL`;
    return { kind: 'permanent', status, message };
  }
  const message = jiraErrorMessage(status, body);
  if (status >= 500 || TRANSIENT_4XX.has(status)) {
    const retryAfterMs = parseRetryAfter(headers.get('retry-after'), now);
    return { kind: 'transient', status, message, retryAfterMs };
  }
  return { kind: 'permanent', status, message };
}
