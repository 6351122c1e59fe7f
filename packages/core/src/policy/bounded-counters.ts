import { bounded } from '../internal/bounded.js';
import type { CounterRequest, CounterResult, CounterStore, PolicyOption } from './types.js';

/**
 * A counter store whose every call answers within `ms` (see `internal/bounded.ts`): a request
 * carries a `signal` that is aborted when the time is up, so that a store that honours it does not
 * commit for a caller who was answered 503 already (PostgreSQL rolls back; a Redis script that
 * reached the server runs whole when it comes back — see the stores' READMEs).
 */
export function boundedCounters(counters: CounterStore, ms: number): CounterStore {
  return {
    consumeCounters(request: CounterRequest): Promise<CounterResult> {
      // The signal is made when a store reads it (~2 µs for an AbortSignal): a store that ignores
      // it (Redis: a script cannot be called back) pays nothing for it.
      let controller: AbortController | undefined;
      let late: Error | undefined;
      const withSignal: CounterRequest = {
        ...request,
        get signal() {
          if (controller === undefined) {
            controller = new AbortController();
            if (late !== undefined) controller.abort(late);
          }
          return controller.signal;
        },
      };
      const answer = bounded(counters.consumeCounters(withSignal), ms, 'the counter store', (error) => {
        late = error;
        controller?.abort(error);
      });
      return Promise.resolve(answer);
    },
  };
}

/** Policies whose resolver answers within `ms` (a resolver may read a plan from a database). */
export function boundedPolicies(option: PolicyOption, ms: number): PolicyOption {
  if (typeof option !== 'function') return option;
  return (key) => bounded(option(key), ms, 'the policy resolver');
}

/** {@link boundedCounters}, or `null` for no counter store. */
export function boundedOrNull(counters: CounterStore | null, ms: number): CounterStore | null {
  return counters === null ? null : boundedCounters(counters, ms);
}
