import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, toApiError } from './api';

/** How often open pages refresh: the list, the summary and the alert on screen. */
export const POLL_MS = 3000;

export interface Data<T> {
  data: T | undefined;
  error: ApiError | undefined;
  /** When data last arrived. */
  at: number | undefined;
  refresh: () => Promise<void>;
  /** Shows a value the page already has (an action's answer) without asking again. */
  set: (data: T) => void;
}

/**
 * Loads when `key` changes and, with `intervalMs`, again at that interval while the tab is
 * visible (and at once when it becomes visible). The previous data stays on screen until new
 * data arrives, so a refresh never blanks the page; an answer to an older request than the
 * latest is dropped.
 */
export function useData<T>(load: () => Promise<T>, key: string, intervalMs?: number): Data<T> {
  const [state, setState] = useState<{ data?: T; error?: ApiError; at?: number }>({});
  const loader = useRef(load);
  loader.current = load;
  const latest = useRef(0);

  const refresh = useCallback(async () => {
    const request = ++latest.current;
    try {
      const data = await loader.current();
      if (request === latest.current) setState({ data, at: Date.now() });
    } catch (err) {
      if (request === latest.current) setState((s) => ({ ...s, error: toApiError(err) }));
    }
  }, [key]);

  useEffect(() => {
    void refresh();
    if (!intervalMs) return () => void latest.current++;
    const visible = () => document.visibilityState === 'visible';
    const timer = setInterval(() => visible() && void refresh(), intervalMs);
    const onVisibility = () => visible() && void refresh();
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      latest.current++;
      clearInterval(timer);
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [refresh, intervalMs]);

  const set = useCallback((data: T) => {
    latest.current++;
    setState({ data, at: Date.now() });
  }, []);

  return { ...state, data: state.data, error: state.error, at: state.at, refresh, set };
}

const TYPING = ['INPUT', 'TEXTAREA', 'SELECT'];

/**
 * Single-key shortcuts. Ignored while typing in a field and with Ctrl, Alt or Meta, so the
 * browser's own shortcuts keep working.
 */
export function useKeys(handler: (event: KeyboardEvent) => void): void {
  const current = useRef(handler);
  current.current = handler;
  useEffect(() => {
    const listener = (event: KeyboardEvent) => {
      if (event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
      const target = event.target as HTMLElement | null;
      if (target && (target.isContentEditable || TYPING.includes(target.tagName))) return;
      current.current(event);
    };
    document.addEventListener('keydown', listener);
    return () => document.removeEventListener('keydown', listener);
  }, []);
}
