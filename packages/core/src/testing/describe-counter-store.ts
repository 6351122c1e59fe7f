import { describe, expect, it } from 'vitest';
import type { CounterRequest, CounterStore } from '../policy/types.js';

export interface CounterStoreSuiteOptions {
  /** Name shown in the test titles. */
  name: string;
  /** A counter store; counters of different calls may share it (the suite uses fresh names). */
  store: () => CounterStore;
}

let serial = 0;
const unique = (label: string) => `${label}:${Date.now().toString(36)}:${serial++}`;

function request(over: Partial<CounterRequest> & { now: number }): CounterRequest {
  return { group: 'w:suite', cost: 1, rates: [], quota: null, dryRun: false, ...over };
}

/**
 * The contract of a {@link CounterStore}: GCRA rate limits that admit `limit` requests per window
 * and refill smoothly, quotas that never go below zero, all-or-nothing consumption across several
 * limits, dry runs that consume nothing, and atomicity under concurrent calls.
 */
export function describeCounterStore(options: CounterStoreSuiteOptions): void {
  describe(`CounterStore contract: ${options.name}`, () => {
    it('admits `limit` requests per window, refuses the next with the wait, and refills smoothly', async () => {
      const store = options.store();
      const rate = { key: unique('r'), limit: 5, windowMs: 1000 };
      const t0 = Date.UTC(2026, 0, 1);
      const seen: (number | null)[] = [];
      for (let i = 0; i < 5; i++) {
        const r = await store.consumeCounters(request({ now: t0, rates: [rate] }));
        expect(r.refused).toBeNull();
        seen.push(r.rates[0]!.remaining);
      }
      expect(seen).toEqual([4, 3, 2, 1, 0]);
      const refused = await store.consumeCounters(request({ now: t0, rates: [rate] }));
      expect(refused.refused).toEqual({ rate: 0 });
      expect(refused.retryAfterMs).toBe(200);
      // One interval later, exactly one more request fits.
      expect((await store.consumeCounters(request({ now: t0 + 200, rates: [rate] }))).refused).toBeNull();
      expect((await store.consumeCounters(request({ now: t0 + 200, rates: [rate] }))).refused).toEqual({ rate: 0 });
      // A full window later, the whole limit again.
      const later = await store.consumeCounters(request({ now: t0 + 2000, rates: [rate] }));
      expect([later.refused, later.rates[0]!.remaining]).toEqual([null, 4]);
    });

    it('admits a request without counters', async () => {
      const store = options.store();
      expect(await store.consumeCounters(request({ now: Date.UTC(2026, 0, 1) }))).toEqual({ refused: null, retryAfterMs: 0, rates: [], quota: null });
    });

    it('counts a quota with a cost, never below zero, and refuses until the period ends', async () => {
      const store = options.store();
      const now = Date.UTC(2026, 0, 10);
      const quota = { key: unique('q'), limit: 10, resetAt: Date.UTC(2026, 1, 1) };
      expect((await store.consumeCounters(request({ now, quota, cost: 7 }))).quota).toEqual({ remaining: 3 });
      const refused = await store.consumeCounters(request({ now, quota, cost: 4 }));
      expect([refused.refused, refused.quota, refused.retryAfterMs]).toEqual([{ quota: true }, { remaining: 3 }, quota.resetAt - now]);
      expect((await store.consumeCounters(request({ now, quota, cost: 3 }))).quota).toEqual({ remaining: 0 });
      expect((await store.consumeCounters(request({ now, quota, cost: 1 }))).refused).toEqual({ quota: true });
      expect((await store.consumeCounters(request({ now, quota, cost: 0 }))).refused).toBeNull();
    });

    it('a rate limit counts one request whatever its cost; the quota counts the cost', async () => {
      const store = options.store();
      const now = Date.UTC(2026, 0, 2);
      const rate = { key: unique('r'), limit: 3, windowMs: 60_000 };
      const quota = { key: unique('q'), limit: 100, resetAt: now + 86_400_000 };
      const first = await store.consumeCounters(request({ now, rates: [rate], quota, cost: 10 }));
      expect([first.refused, first.rates[0]!.remaining, first.quota]).toEqual([null, 2, { remaining: 90 }]);
      const free = await store.consumeCounters(request({ now, rates: [rate], quota, cost: 0 }));
      expect([free.refused, free.rates[0]!.remaining, free.quota]).toEqual([null, 1, { remaining: 90 }]);
      const big = await store.consumeCounters(request({ now, rates: [rate], quota, cost: 50 }));
      expect([big.refused, big.rates[0]!.remaining, big.quota]).toEqual([null, 0, { remaining: 40 }]);
      const refused = await store.consumeCounters(request({ now, rates: [rate], quota, cost: 1 }));
      expect([refused.refused, refused.retryAfterMs, refused.quota]).toEqual([{ rate: 0 }, 20_000, { remaining: 40 }]);
    });

    it('consumes all limits or none: a refusal by one leaves the others untouched', async () => {
      const store = options.store();
      const now = Date.UTC(2026, 0, 1);
      const roomy = { key: unique('roomy'), limit: 100, windowMs: 60_000 };
      const tight = { key: unique('tight'), limit: 1, windowMs: 60_000 };
      const quota = { key: unique('q'), limit: 50, resetAt: now + 86_400_000 };
      expect((await store.consumeCounters(request({ now, rates: [roomy, tight], quota }))).refused).toBeNull();
      for (let i = 0; i < 3; i++) expect((await store.consumeCounters(request({ now, rates: [roomy, tight], quota }))).refused).toEqual({ rate: 1 });
      // Only the first request counted anywhere.
      const check = await store.consumeCounters(request({ now, rates: [roomy], quota, dryRun: true }));
      expect([check.rates[0]!.remaining, check.quota]).toEqual([98, { remaining: 48 }]);
      // A quota refusal consumes no rate limit either.
      const empty = { key: unique('empty'), limit: 0, resetAt: now + 1000 };
      const roomy2 = { key: unique('roomy2'), limit: 3, windowMs: 60_000 };
      for (let i = 0; i < 5; i++)
        expect((await store.consumeCounters(request({ now, rates: [roomy2], quota: empty }))).refused).toEqual({ quota: true });
      expect((await store.consumeCounters(request({ now, rates: [roomy2] }))).rates[0]!.remaining).toBe(2);
    });

    it('a dry run checks and consumes nothing', async () => {
      const store = options.store();
      const now = Date.UTC(2026, 0, 1);
      const rate = { key: unique('r'), limit: 2, windowMs: 1000 };
      const quota = { key: unique('q'), limit: 1, resetAt: now + 1000 };
      for (let i = 0; i < 5; i++) {
        const r = await store.consumeCounters(request({ now, rates: [rate], quota, dryRun: true }));
        expect([r.refused, r.quota, r.rates[0]!.remaining]).toEqual([null, { remaining: 0 }, 1]);
      }
      expect((await store.consumeCounters(request({ now, rates: [rate], quota }))).refused).toBeNull();
      expect((await store.consumeCounters(request({ now, rates: [rate], quota, dryRun: true }))).refused).toEqual({ quota: true });
    });

    it('admits exactly the capacity under 50 concurrent calls', async () => {
      const store = options.store();
      const now = Date.UTC(2026, 0, 1);
      const quota = { key: unique('q'), limit: 7, resetAt: now + 60_000 };
      const rate = { key: unique('r'), limit: 1000, windowMs: 60_000 };
      const results = await Promise.all(Array.from({ length: 50 }, () => store.consumeCounters(request({ now, rates: [rate], quota }))));
      expect(results.filter((r) => r.refused === null)).toHaveLength(7);
      const after = await store.consumeCounters(request({ now, rates: [rate], quota, dryRun: true }));
      expect([after.quota, after.rates[0]!.remaining]).toEqual([{ remaining: 0 }, 993]);
    });
  });
}
