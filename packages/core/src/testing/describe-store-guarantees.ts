import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyward, type Keyward } from '../engine/keyward.js';
import { idSecretFormat } from '../format/id-secret.js';
import { prefixedFormat } from '../format/prefixed.js';
import type { KeyStore, StoredKey } from '../store/types.js';

/** A way to damage the stored record of a key, as someone editing the database by hand could. */
export interface StoreCorruption<S extends KeyStore = KeyStore> {
  /** Shown in the test names: which field, made what. */
  name: string;
  /** Damages the record of `key` in `store`; resolves to what repairs it. */
  corrupt: (store: S, key: StoredKey) => Promise<() => Promise<void>>;
}

/** How to run the guarantees against one store. */
export interface StoreGuaranteesSuiteOptions<S extends KeyStore = KeyStore> {
  /** Shown in the test names. */
  name: string;
  /**
   * Two stores over the same data, as two instances of one app see it (two pools, two clients).
   * For a store that one process owns, both may be the same object.
   */
  createStores: () => Promise<{ a: S; b: S; close?: () => Promise<void> | void }>;
  /** Damaged records that must make `verify` answer 503, never a pass or a 401. */
  corruptions?: readonly StoreCorruption<S>[];
}

const formats = [prefixedFormat({ prefix: 'kw' }), idSecretFormat()];

/**
 * The promises every durable store keeps beyond the `KeyStore` contract, each through the engine:
 * concurrent rotations of one key from two instances retire it once, a rotation with a grace period
 * never leaves a moment without a valid key, and a record the store cannot read is a 503 that is
 * never cached.
 */
export function describeStoreGuarantees<S extends KeyStore>(options: StoreGuaranteesSuiteOptions<S>): void {
  describe(`Store guarantees: ${options.name}`, () => {
    let stores: { a: S; b: S; close?: () => Promise<void> | void };
    // Two instances of one app; no cache, so that every verify reads the store.
    let a: Keyward;
    let b: Keyward;
    beforeAll(async () => {
      stores = await options.createStores();
      a = createKeyward({ store: stores.a, format: formats, cache: false });
      b = createKeyward({ store: stores.b, format: formats, cache: false });
    });
    afterAll(async () => {
      await stores?.close?.();
    });

    it('retires a key once when two instances rotate it at the same time', async () => {
      for (let round = 0; round < 3; round++) {
        const workspaceId = `ws_race_${round}_${Math.random().toString(36).slice(2, 8)}`;
        const old = await a.create({ workspaceId, name: 'raced', ...(round === 1 ? { format: 'id-secret' } : {}) });
        const results = await Promise.allSettled(
          Array.from({ length: 12 }, (_, i) => (i % 2 === 0 ? a : b).rotate(old.record.id, { gracePeriod: '1h' })),
        );
        const won = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        expect(won).toHaveLength(1);
        for (const r of results) if (r.status === 'rejected') expect((r.reason as { code?: string }).code).toBe('conflict');
        const listed = await b.list({ workspaceId });
        expect(listed.items.map((k) => k.id).sort()).toEqual([old.record.id, won[0]!.record.id].sort());
        expect((await b.get(old.record.id))?.rotatedToId).toBe(won[0]!.record.id);
      }
    });

    it('with a grace period, never leaves a moment without a valid key', async () => {
      for (let round = 0; round < 4; round++) {
        const old = await a.create({ workspaceId: 'ws_grace', name: `graceful ${round}`, ...(round % 2 ? { format: 'id-secret' } : {}) });
        let running = true;
        let checks = 0;
        const failures: string[] = [];
        // Instance B verifies the old key without pause while instance A rotates it.
        const watcher = (async () => {
          while (running && checks < 100_000) {
            const result = await b.verify({ authorization: `Bearer ${old.key}` });
            checks++;
            if (!result.ok) failures.push(result.error.code);
            // A store in this process may answer without ever giving the timers a turn.
            if (checks % 20 === 0) await new Promise((resolve) => setTimeout(resolve, 0));
          }
        })();
        await new Promise((resolve) => setTimeout(resolve, 20));
        const rotated = await a.rotate(old.record.id, { gracePeriod: '1h' });
        // The successor works on the other instance from the moment rotate returns.
        const successor = await b.verify({ authorization: `Bearer ${rotated.key}` });
        await new Promise((resolve) => setTimeout(resolve, 20));
        running = false;
        await watcher;
        expect(successor.ok).toBe(true);
        expect(failures).toEqual([]);
        expect(checks).toBeGreaterThan(5);
        expect((await b.verify({ authorization: `Bearer ${old.key}` })).ok).toBe(true);
      }
    });

    for (const corruption of options.corruptions ?? []) {
      it(`answers 503 (never a pass, never a 401) for a record with ${corruption.name}, by hash and by id, and never caches it`, async () => {
        for (const format of ['kw', 'id-secret']) {
          const { key, record } = await a.create({ workspaceId: 'ws_bad', name: 'bad', format });
          // A fresh engine with a cache: the bad record must not be cached (as anything).
          const cached = createKeyward({ store: stores.a, format: formats, cache: { ttl: 60_000 } });
          const stored = await stores.a.findById(record.id);
          expect(stored?.id).toBe(record.id);
          const repair = await corruption.corrupt(stores.a, stored!);
          for (const engine of [a, cached, a, cached]) {
            const result = await engine.verify({ authorization: `Bearer ${key}` });
            const label = { format, engine: engine === a ? 'no cache' : 'cache' };
            expect({ ...label, result: result.ok ? 'ok' : `${result.error.code} ${result.error.status}` }).toEqual({
              ...label,
              result: 'store_unavailable 503',
            });
          }
          // Repaired: it passes again at once (the failure was never cached as "unknown").
          await repair();
          expect((await cached.verify({ authorization: `Bearer ${key}` })).ok).toBe(true);
        }
      });
    }
  });
}
