import { useCallback, useRef, useState } from 'react';
import { DashboardApiError } from './client.js';

/** A change the person asked for: whether it is under way, and how it failed. */
export interface Action {
  readonly busy: boolean;
  readonly error: DashboardApiError | null;
  /** Runs `change` unless one is under way; resolves `true` when it succeeded. */
  run(change: () => Promise<void>): Promise<boolean>;
  clear(): void;
}

/** One change at a time (a double click sends one request), its failure kept for the form to show. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DashboardApiError | null>(null);
  const running = useRef(false);
  const run = useCallback(async (change: () => Promise<void>) => {
    if (running.current) return false;
    running.current = true;
    setBusy(true);
    setError(null);
    try {
      await change();
      return true;
    } catch (e) {
      setError(e instanceof DashboardApiError ? e : new DashboardApiError(0, 'client_error', 'the change failed: reload the page and try again'));
      return false;
    } finally {
      running.current = false;
      setBusy(false);
    }
  }, []);
  const clear = useCallback(() => setError(null), []);
  return { busy, error, run, clear };
}
