import type { CounterStore } from '../policy/types.js';

/**
 * "First one wins", across processes: `claim(name)` answers `true` to exactly one caller for a
 * name until `until`, whichever process asks. Used so that a leak report or an expiry warning is
 * acted on once, even when GitHub retries, or when several instances see the same key.
 */
export interface OnceGate {
  /**
   * @param group keeps related names together (a Redis hash tag): the key id.
   * @param until when the claim may be forgotten (ms since epoch); must be after `now`.
   * @throws the counter store's error (the caller decides: retry later, or answer 503).
   */
  claim(group: string, name: string, now: number, until: number): Promise<boolean>;
  /** Whether the claims hold across processes (a counter store), or only in this one. */
  readonly shared: boolean;
}

/** Claims remembered by the in-process fallback, at most. */
const LOCAL_MAX = 100_000;

/**
 * A gate on the counter store (memory, PostgreSQL, Redis): a claim is a quota of one unit, which
 * every store consumes atomically — the second consume of the same counter is refused. Without a
 * counter store, claims are remembered in this process only (bounded).
 */
export function onceGate(counters: CounterStore | null): OnceGate {
  if (counters !== null) {
    return {
      shared: true,
      async claim(group, name, now, until) {
        const result = await counters.consumeCounters({
          group: `once:${group}`,
          now,
          cost: 1,
          rates: [],
          quota: { key: `once:${name}`, limit: 1, resetAt: Math.max(until, now + 1) },
          dryRun: false,
        });
        return result.refused === null;
      },
    };
  }
  const claimed = new Map<string, number>();
  return {
    shared: false,
    async claim(group, name, now, until) {
      const id = `${group}\u0000${name}`;
      const held = claimed.get(id);
      if (held !== undefined && held > now) return false;
      if (claimed.size >= LOCAL_MAX) {
        for (const [k, t] of claimed) if (t <= now) claimed.delete(k);
        // Still full of live claims: forget the oldest (a repeat may then act twice; bounded memory wins).
        if (claimed.size >= LOCAL_MAX) claimed.delete(claimed.keys().next().value!);
      }
      claimed.set(id, until);
      return true;
    },
  };
}

/** The counter store of an engine's options: `counters`, else the key store when it keeps counters. */
export function countersOf(options: { counters?: CounterStore; store: unknown }): CounterStore | null {
  if (options.counters !== undefined) return options.counters;
  const store = options.store as Partial<CounterStore> | null;
  return store !== null && typeof store === 'object' && typeof store.consumeCounters === 'function' ? (store as CounterStore) : null;
}
