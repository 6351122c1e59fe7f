import { bounded } from '../internal/bounded.js';
import type { CounterRequest, CounterResult, CounterStore, PolicyOption } from './types.js';

/** The function form of `policies`. */
type PolicyResolver = Extract<PolicyOption, (...args: never[]) => unknown>;

/**
 * A counter store whose every call answers within `ms` (see `internal/bounded.ts`): a request
 * carries a `signal` that is aborted when the time is up, so that a store that honours it does not
 * commit for a caller who was answered 503 already (PostgreSQL rolls back; a Redis script that
 * reached the server runs whole when it comes back — see the stores' READMEs).
 */
export function boundedCounters(counters: CounterStore, ms: number): CounterStore {
  return { consumeCounters: (request) => consumeWithin(counters, request, ms) };
}

/** One `consumeCounters` call within `ms` (see {@link boundedCounters}). */
export function consumeWithin(counters: CounterStore, request: CounterRequest, ms: number): Promise<CounterResult> {
  // The signal is made when a store reads it (~2 µs for an AbortSignal): a store that ignores it
  // (Redis: a script cannot be called back) pays nothing for it.
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
}

/** A `policies` resolver that answers within `ms` (a resolver may read a plan from a database). */
export function boundedPolicies(resolve: PolicyResolver, ms: number): PolicyResolver {
  return (key) => bounded(resolve(key), ms, 'the policy resolver');
}

/** {@link boundedCounters}, or `null` for no counter store. */
export function boundedOrNull(counters: CounterStore | null, ms: number): CounterStore | null {
  return counters === null ? null : boundedCounters(counters, ms);
}
