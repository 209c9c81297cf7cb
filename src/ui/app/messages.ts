import { useEffect, useState } from 'preact/hooks';
import { ApiError, type LifecycleAction } from './api';

export interface Message {
  kind: 'ok' | 'error';
  text: string;
  /** An alert the message points to (another open alert for the same problem). */
  alertId?: string;
}

const PAST: Record<LifecycleAction, string> = {
  acknowledge: 'acknowledged',
  resolve: 'resolved',
  reopen: 'reopened',
};

/**
 * What a refused request means for the person who made it. Conflicts are explained: someone
 * else changed the alert, nothing was overwritten, and the page shows the current state.
 */
export function explain(error: ApiError, seenVersion?: number, action?: LifecycleAction): Message {
  const { problem } = error;
  switch (error.kind) {
    case 'stale-version':
      return {
        kind: 'error',
        text:
          `Someone else changed this alert while you were looking at it (you saw version ` +
          `${seenVersion ?? '?'}, it is now version ${String(problem.current_version)}). ` +
          'Nothing was changed: the page now shows the current state; check it and try again.',
      };
    case 'illegal-transition':
      return {
        kind: 'error',
        text:
          `Not ${action ? PAST[action] : 'changed'}: the alert is ${String(problem.current_status)} ` +
          'now, probably changed by someone else. The page now shows its current state.',
      };
    case 'fingerprint-already-open':
      return {
        kind: 'error',
        text: 'Not reopened: another alert for this problem is already open.',
        alertId: typeof problem.open_alert_id === 'string' ? problem.open_alert_id : undefined,
      };
    case 'csrf':
      return {
        kind: 'error',
        text: "The session's security token did not match (signed in again in another tab?). Reload the page.",
      };
    case 'forbidden':
      return { kind: 'error', text: 'Your token can only read (viewer role); ask an operator.' };
    case 'rate-limited':
      return { kind: 'error', text: 'Too many requests with this token; try again in a moment.' };
    case 'validation': {
      const errors = Array.isArray(problem.errors)
        ? (problem.errors as Array<{ message?: string }>).map((e) => e.message).join('; ')
        : '';
      return { kind: 'error', text: errors || problem.detail };
    }
    default:
      return { kind: 'error', text: `${problem.title}: ${problem.detail}` };
  }
}

export const done = (action: LifecycleAction, what: string): Message => ({
  kind: 'ok',
  text: `${what} ${PAST[action]}.`,
});

/** Toasts: fixed to the corner, so they never push the page around. */
export type Toast = Message & { id: number };

let listeners: Array<(toasts: Toast[]) => void> = [];
let shown: Toast[] = [];
let last = 0;

export function toast(text: Message): void {
  const message = { ...text, id: ++last };
  shown = [...shown.slice(-2), message];
  listeners.forEach((l) => l(shown));
  setTimeout(() => {
    shown = shown.filter((m) => m !== message);
    listeners.forEach((l) => l(shown));
  }, 6000);
}

export function useToasts(): Toast[] {
  const [messages, setMessages] = useState(shown);
  useEffect(() => {
    listeners.push(setMessages);
    return () => {
      listeners = listeners.filter((l) => l !== setMessages);
    };
  }, []);
  return messages;
}
