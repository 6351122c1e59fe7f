import { useCallback, useEffect, useRef, useState } from 'react';
import { DashboardApiError } from './client.js';

/** What a section shows for one read of the API. */
export interface Resource<T> {
  /** `loading` only until the first answer: a reload keeps showing what was there. */
  readonly status: 'loading' | 'ready' | 'error';
  readonly data: T | undefined;
  readonly error: DashboardApiError | null;
  /** Reads again (the data stays on screen meanwhile). */
  reload(): void;
  /** Changes the data in place (after a write the section already knows the result of). */
  update(change: (data: T) => T): void;
}

const asApiError = (error: unknown): DashboardApiError =>
  error instanceof DashboardApiError ? error : new DashboardApiError(0, 'client_error', 'the page failed to read the answer: reload it');

/**
 * Loads `load()` when `key` changes (a workspace id, a filter: the old data is dropped), and
 * again when `refresh` changes or on `reload()` (the old data stays until the answer). An answer
 * that arrives after a newer request started is dropped, so a fast workspace switch never shows
 * the keys of the previous one.
 */
export function useResource<T>(load: (() => Promise<T>) | null, key: string, refresh = 0): Resource<T> {
  const [state, setState] = useState<{ key: string; data: T | undefined; error: DashboardApiError | null; done: boolean }>({
    key,
    data: undefined,
    error: null,
    done: false,
  });
  const [round, setRound] = useState(0);
  const latest = useRef(0);
  const loader = useRef(load);
  loader.current = load;

  // biome-ignore lint/correctness/useExhaustiveDependencies: key, refresh and round are the triggers; the loader is read from its ref
  useEffect(() => {
    const run = loader.current;
    if (run === null) return;
    const id = ++latest.current;
    setState((s) => (s.key === key ? s : { key, data: undefined, error: null, done: false }));
    run().then(
      (data) => {
        if (id === latest.current) setState({ key, data, error: null, done: true });
      },
      (error: unknown) => {
        if (id === latest.current) setState((s) => ({ key, data: s.key === key ? s.data : undefined, error: asApiError(error), done: true }));
      },
    );
  }, [key, refresh, round]);

  const reload = useCallback(() => setRound((r) => r + 1), []);
  const update = useCallback((change: (data: T) => T) => {
    setState((s) => (s.data === undefined ? s : { ...s, data: change(s.data) }));
  }, []);
  const current = state.key === key;
  const data = current ? state.data : undefined;
  const error = current ? state.error : null;
  const status = error !== null && data === undefined ? 'error' : data !== undefined ? 'ready' : 'loading';
  return { status, data, error, reload, update };
}
