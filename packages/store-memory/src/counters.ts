import { gcra, gcraState, type CounterRequest, type CounterResult, type CounterStore } from '@keyward/core/store';

/**
 * Rate-limit and quota counters in process memory: one map, checked and written in one
 * synchronous step (atomic within the process). Entries past their window are swept as they are
 * met, and all of them every 10,000 writes.
 */
export function memoryCounters(): CounterStore {
  /** counter key → [value, expires at (ms)]: a GCRA arrival time, or a quota's used units. */
  const values = new Map<string, [number, number]>();
  let writes = 0;
  const live = (key: string, now: number): number | null => {
    const entry = values.get(key);
    if (entry === undefined) return null;
    if (entry[1] <= now) {
      values.delete(key);
      return null;
    }
    return entry[0];
  };
  return {
    async consumeCounters(request: CounterRequest): Promise<CounterResult> {
      const { now, cost } = request;
      const rates = request.rates.map((r) => ({ r, g: gcra(live(r.key, now), now, 1, r.limit, r.windowMs) }));
      const refusedRate = rates.findIndex((x) => !x.g.ok);
      const q = request.quota;
      const used = q === null ? 0 : (live(q.key, now) ?? 0);
      const quotaOk = q === null || used + cost <= q.limit;
      const admitted = refusedRate < 0 && quotaOk;
      if (admitted && !request.dryRun) {
        for (const { r, g } of rates) values.set(r.key, [g.tat, g.tat]);
        if (q !== null) values.set(q.key, [used + cost, q.resetAt]);
        if (++writes % 10_000 === 0) for (const [key, [, expires]] of values) if (expires <= now) values.delete(key);
      }
      return {
        refused: refusedRate >= 0 ? { rate: refusedRate } : quotaOk ? null : { quota: true },
        retryAfterMs: refusedRate >= 0 ? rates[refusedRate]!.g.waitMs : quotaOk ? 0 : Math.max(0, q!.resetAt - now),
        // Admitted: the state after this request. Refused: the state as it is (nothing consumed).
        rates: rates.map(({ r, g }) =>
          admitted || !g.ok ? { remaining: g.remaining, resetMs: g.resetMs } : gcraState(live(r.key, now), now, r.limit, r.windowMs),
        ),
        quota: q === null ? null : { remaining: Math.max(0, q.limit - used - (admitted ? cost : 0)) },
      };
    },
  };
}
