import { describe, expect, it } from 'vitest';
import { type CounterGuard, type CounterPlan, counterRequest, type FusedCounterStore, guardAdmits } from '../policy/types.js';
import type { KeyStore, StoredKey } from '../store/types.js';
import { sampleStoredKey } from './fixtures.js';

export interface FusedCounterStoreSuiteOptions {
  /** Name shown in the test titles. */
  name: string;
  /** A key store that keeps counters and can look up and count in one step. */
  store: () => KeyStore & FusedCounterStore;
}

let serial = 0;

const NOW = Date.UTC(2026, 5, 15, 12);
const OPEN: CounterGuard = { format: 'kw', hashVersion: 'sha256', workspaceId: null, environment: null, scopes: [] };

/** A plan with one rate limit per key, one per workspace and a quota per key, named uniquely. */
function plan(over: Partial<CounterPlan> = {}, quotaLimit = 100): CounterPlan {
  const run = `${Date.now().toString(36)}.${serial++}`;
  return {
    now: NOW,
    cost: 1,
    dryRun: false,
    rates: [
      { per: 'key', name: `10/1000:${run}`, limit: 10, windowMs: 1000 },
      { per: 'workspace', name: `100/60000:${run}`, limit: 100, windowMs: 60_000 },
    ],
    quota: { per: 'key', name: `month:${run}`, limit: quotaLimit, resetAt: NOW + 86_400_000 },
    guard: OPEN,
    ...over,
  };
}

/**
 * The requests left on a key's counters, read with a dry run of the ordinary consume (whose rate
 * states count the request it checks: hence + 1).
 */
async function state(store: FusedCounterStore, p: CounterPlan, key: StoredKey) {
  const result = await store.consumeCounters({ ...counterRequest(p, key), dryRun: true, cost: 0 });
  expect(result.refused).toBeNull();
  return { rates: result.rates.map((r) => r.remaining + 1), quota: result.quota?.remaining ?? null };
}

/**
 * The contract of {@link FusedCounterStore.findByHashAndConsume}: the record as `findByHash` reads
 * it; counters consumed exactly when {@link guardAdmits} says so, and then the very counters that
 * `consumeCounters(counterRequest(plan, record))` would consume; all or nothing; atomic under
 * concurrency.
 */
export function describeFusedCounterStore(options: FusedCounterStoreSuiteOptions): void {
  describe(`FusedCounterStore contract: ${options.name}`, () => {
    it('answers no record and no counters for an unknown hash', async () => {
      const store = options.store();
      expect(await store.findByHashAndConsume('f'.repeat(64), plan())).toEqual({ record: null, counters: null });
    });

    it('consumes the same counters as consumeCounters(counterRequest(plan, record)), per key and per workspace', async () => {
      const store = options.store();
      // Ids and workspaces with characters that key names must escape.
      const workspaceId = `ws:fused/${serial++} é`;
      const a = sampleStoredKey({ workspaceId, id: `key:a/${serial++}`, expiresAt: null });
      const b = sampleStoredKey({ workspaceId, expiresAt: null });
      await store.insert(a);
      await store.insert(b);
      const p = plan();
      const fused = await store.findByHashAndConsume(a.hash, p);
      expect(fused.record).toEqual(await store.findByHash(a.hash));
      expect(fused.counters).toMatchObject({ refused: null, rates: [{ remaining: 9 }, { remaining: 99 }], quota: { remaining: 99 } });
      expect(await state(store, p, a)).toEqual({ rates: [9, 99], quota: 99 });
      // The workspace limit is shared with b; its own key limit and quota are not.
      expect(await state(store, p, b)).toEqual({ rates: [10, 99], quota: 100 });
      await store.consumeCounters(counterRequest(p, a));
      expect((await store.findByHashAndConsume(a.hash, p)).counters).toMatchObject({
        rates: [{ remaining: 7 }, { remaining: 97 }],
        quota: { remaining: 97 },
      });
      // A workspace quota is shared too.
      const shared = plan();
      const sharedQuota = { ...shared, quota: { ...shared.quota!, per: 'workspace' as const } };
      expect((await store.findByHashAndConsume(b.hash, sharedQuota)).counters).toMatchObject({ quota: { remaining: 99 } });
      expect((await state(store, sharedQuota, a)).quota).toBe(99);
    });

    it("counts a record with a counterId under it, as counterRequest does (a rotated key's successor)", async () => {
      const store = options.store();
      const counterId = `key:root/${serial++} é`;
      const successor = sampleStoredKey({ expiresAt: null, counterId });
      const sibling = sampleStoredKey({ expiresAt: null, counterId });
      const own = sampleStoredKey({ expiresAt: null, id: counterId });
      for (const key of [successor, sibling]) await store.insert(key);
      const p = plan();
      const fused = await store.findByHashAndConsume(successor.hash, p);
      expect(fused.record).toEqual(await store.findByHash(successor.hash));
      expect(fused.counters).toMatchObject({ refused: null, quota: { remaining: 99 } });
      // The counters of the identity, not of the record's own id: shared with every key of it.
      expect(await state(store, p, sibling)).toEqual({ rates: [9, 99], quota: 99 });
      expect(await state(store, p, own)).toEqual({ rates: [9, 99], quota: 99 });
      expect(await state(store, p, { ...successor, counterId: null })).toEqual({ rates: [10, 99], quota: 100 });
    });

    it('without a workspace, counts a workspace limit on the key, as counterRequest does', async () => {
      const store = options.store();
      const key = sampleStoredKey({ workspaceId: null, ownerId: `owner_${serial++}`, expiresAt: null });
      await store.insert(key);
      const p = plan();
      expect((await store.findByHashAndConsume(key.hash, p)).counters).not.toBeNull();
      expect(await state(store, p, key)).toEqual({ rates: [9, 99], quota: 99 });
    });

    it('consumes nothing for a record the guard does not admit, and still returns the record', async () => {
      const store = options.store();
      const cases: [string, Partial<StoredKey>, Partial<CounterGuard>][] = [
        ['plain', {}, {}],
        ['another format', { format: 'other' }, {}],
        ['an older hasher', { hashVersion: 'hmac-sha256:v0' }, {}],
        ['legacy', { legacy: true, workspaceId: null }, {}],
        ['revoked', { revokedAt: new Date(NOW - 1) }, {}],
        ['revoked at this instant', { revokedAt: new Date(NOW) }, {}],
        ['revoked later', { revokedAt: new Date(NOW + 60_000) }, {}],
        ['expired', { expiresAt: new Date(NOW) }, {}],
        ['expiring later', { expiresAt: new Date(NOW + 1) }, {}],
        ['the workspace asked', {}, { workspaceId: 'ws_conformance' }],
        ['another workspace', {}, { workspaceId: 'ws_other' }],
        ['the environment asked', {}, { environment: 'live' }],
        ['another environment', {}, { environment: 'test' }],
        ['no environment', { environment: null }, { environment: 'live' }],
        ['a scope held', {}, { scopes: ['notes:read'] }],
        ['a scope held only through a wildcard', {}, { scopes: ['notes:write'] }],
        ['a scope not held', { scopes: ['files:read'] }, { scopes: ['notes:read'] }],
        ['every scope', { scopes: ['*'] }, { scopes: ['notes:read', 'files:write'] }],
        ['no scopes at all', { scopes: [] }, { scopes: ['notes:read'] }],
        // Characters a store may use as separators, in every part the guard compares.
        ['a workspace with separators', { workspaceId: 'ws|x=1;y:%' }, { workspaceId: 'ws|x=1;y:%' }],
        ['a workspace that only starts like the one asked', { workspaceId: 'ws|x' }, { workspaceId: 'ws|' }],
        ['an environment with separators', { environment: 'live|eu=1' }, { environment: 'live|eu=1' }],
        ['another environment with separators', { environment: 'live|eu' }, { environment: 'live' }],
        ['a scope with separators', { scopes: ['a|b', 'c;d'] }, { scopes: ['a|b', 'c;d'] }],
        ['a scope with separators not held', { scopes: ['a|b'] }, { scopes: ['a'] }],
        ['an empty workspace asked', { workspaceId: null, ownerId: 'owner_conformance' }, { workspaceId: '' }],
      ];
      for (const [label, record, guard] of cases) {
        const key = sampleStoredKey({ expiresAt: null, ...record });
        await store.insert(key);
        const p = plan({ guard: { ...OPEN, ...guard } });
        const admits = guardAdmits(p.guard, p.now, key);
        const fused = await store.findByHashAndConsume(key.hash, p);
        expect(fused.record, label).toEqual(await store.findByHash(key.hash));
        expect(fused.counters !== null, label).toBe(admits);
        expect(await state(store, p, key), label).toEqual(admits ? { rates: [9, 99], quota: 99 } : { rates: [10, 100], quota: 100 });
      }
    });

    it('refuses all or nothing, spends the cost, and consumes nothing on a dry run', async () => {
      const store = options.store();
      const key = sampleStoredKey({ expiresAt: null });
      await store.insert(key);
      const p = plan({ cost: 2 }, 3);
      expect((await store.findByHashAndConsume(key.hash, { ...p, dryRun: true })).counters).toMatchObject({ refused: null, quota: { remaining: 1 } });
      expect(await state(store, p, key)).toEqual({ rates: [10, 100], quota: 3 });
      expect((await store.findByHashAndConsume(key.hash, p)).counters).toMatchObject({ refused: null, quota: { remaining: 1 } });
      const refused = (await store.findByHashAndConsume(key.hash, p)).counters;
      expect(refused).toMatchObject({ refused: { quota: true }, quota: { remaining: 1 }, retryAfterMs: 86_400_000 });
      expect(await state(store, p, key)).toEqual({ rates: [9, 99], quota: 1 });
    });

    it('admits exactly one of 50 concurrent requests for the last unit', async () => {
      const store = options.store();
      const key = sampleStoredKey({ expiresAt: null });
      await store.insert(key);
      const p = { ...plan({}, 1), rates: [] };
      const results = await Promise.all(Array.from({ length: 50 }, () => store.findByHashAndConsume(key.hash, p)));
      expect(results.filter((r) => r.counters?.refused === null)).toHaveLength(1);
      expect(results.every((r) => r.record?.id === key.id)).toBe(true);
      expect((await state(store, p, key)).quota).toBe(0);
    });
  });
}
