import { afterAll, describe, expect, it } from 'vitest';
import { createKeyward } from '../engine/keyward.js';
import type { SuiteEngineOptions } from './engine-options.js';
import { prefixedFormat } from '../format/prefixed.js';
import type { KeyStore } from '../store/types.js';
import type { KeyTouch, UsageCount, UsageStore } from '../usage/types.js';
import { describeBadUsageInput } from './bad-input.js';
import { sampleStoredKey } from './fixtures.js';

/** How to run the usage contract against one store (a key store that is also a usage store). */
export interface UsageStoreSuiteOptions<S extends KeyStore & UsageStore = KeyStore & UsageStore> {
  /** Shown in the test names. */
  name: string;
  /** Returns a store whose data no other test sees. */
  createStore: () => Promise<S> | S;
  /**
   * A second store on the same data (another process's view: a new pool or client on the same
   * database and namespace), for the two-engines test. Omit for stores that cannot share data.
   */
  openTwin?: (store: S) => Promise<S> | S;
  /** Closes what `createStore` / `openTwin` opened. */
  closeStore?: (store: S) => Promise<void> | void;
  /** Added to every engine the suite makes: a logger, instruments. */
  keyward?: SuiteEngineOptions;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const unique = (label: string) => `${label}_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;

/**
 * The contract of a `UsageStore`: counts that add up exactly (also concurrently and from two
 * engines), ranges by key and by workspace, `lastUsedAt` that only moves forward, and the engine's
 * promise of at most one `lastUsedAt` write per key per interval.
 */
export function describeUsageStore<S extends KeyStore & UsageStore>(options: UsageStoreSuiteOptions<S>): void {
  describe(`UsageStore contract: ${options.name}`, () => {
    const opened: S[] = [];
    async function fresh(): Promise<S> {
      const store = await options.createStore();
      opened.push(store);
      return store;
    }
    afterAll(async () => {
      for (const store of opened) await options.closeStore?.(store);
    });

    describeBadUsageInput(async () => ({ keyward: createKeyward({ store: await fresh(), usage: true }) }));

    it('adds counts per key and day, and reads a key or a workspace over a range (both ends included)', async () => {
      const store = await fresh();
      const ws = unique('ws');
      const rows: UsageCount[] = [
        { keyId: 'key_a', workspaceId: ws, day: '2026-01-30', count: 1 },
        { keyId: 'key_a', workspaceId: ws, day: '2026-01-31', count: 5 },
        { keyId: 'key_b', workspaceId: ws, day: '2026-01-31', count: 2 },
        { keyId: 'key_a', workspaceId: ws, day: '2026-02-01', count: 7 },
        { keyId: 'key_c', workspaceId: `${ws}_other`, day: '2026-01-31', count: 100 },
      ];
      await store.addUsage(rows);
      await store.addUsage([{ keyId: 'key_a', workspaceId: ws, day: '2026-01-31', count: 3 }]);
      const strip = (r: UsageCount[]) => r.map(({ keyId, day, count }) => ({ keyId, day, count }));
      expect(strip(await store.readUsage({ keyId: 'key_a', from: '2026-01-31', to: '2026-02-01' }))).toEqual([
        { keyId: 'key_a', day: '2026-01-31', count: 8 },
        { keyId: 'key_a', day: '2026-02-01', count: 7 },
      ]);
      expect(strip(await store.readUsage({ workspaceId: ws, from: '2026-01-01', to: '2026-01-31' }))).toEqual([
        { keyId: 'key_a', day: '2026-01-30', count: 1 },
        { keyId: 'key_a', day: '2026-01-31', count: 8 },
        { keyId: 'key_b', day: '2026-01-31', count: 2 },
      ]);
      const read = await store.readUsage({ keyId: 'key_b', from: '2026-01-31', to: '2026-01-31' });
      expect(read).toEqual([{ keyId: 'key_b', workspaceId: ws, day: '2026-01-31', count: 2 }]);
      expect(await store.readUsage({ workspaceId: unique('ws_none'), from: '2026-01-01', to: '2026-12-31' })).toEqual([]);
    });

    it('adds concurrent increments exactly, and counts past 2^32', async () => {
      const store = await fresh();
      const ws = unique('ws');
      await Promise.all(
        Array.from({ length: 40 }, () =>
          store.addUsage([
            { keyId: 'key_x', workspaceId: ws, day: '2026-03-01', count: 3 },
            { keyId: 'key_y', workspaceId: ws, day: '2026-03-01', count: 1 },
          ]),
        ),
      );
      await store.addUsage([{ keyId: 'key_big', workspaceId: ws, day: '2026-03-01', count: 3_000_000_000 }]);
      await store.addUsage([{ keyId: 'key_big', workspaceId: ws, day: '2026-03-01', count: 3_000_000_000 }]);
      const totals = Object.fromEntries(
        (await store.readUsage({ workspaceId: ws, from: '2026-03-01', to: '2026-03-01' })).map((r) => [r.keyId, r.count]),
      );
      expect(totals).toEqual({ key_big: 6_000_000_000, key_x: 120, key_y: 40 });
    });

    it('keeps counts of keys without a workspace (legacy owner keys), readable by key', async () => {
      const store = await fresh();
      const keyId = unique('key_legacy');
      await store.addUsage([{ keyId, workspaceId: null, day: '2026-04-01', count: 4 }]);
      expect(await store.readUsage({ keyId, from: '2026-04-01', to: '2026-04-01' })).toEqual([
        { keyId, workspaceId: null, day: '2026-04-01', count: 4 },
      ]);
    });

    it('sets lastUsedAt forward only, leaves updatedAt alone, and skips unknown keys', async () => {
      const store = await fresh();
      const key = sampleStoredKey({ workspaceId: unique('ws') });
      await store.insert(key);
      const t1 = new Date(Date.UTC(2026, 5, 1, 10, 0, 0, 123));
      await store.touchKeys([
        { keyId: key.id, at: t1 },
        { keyId: 'key_missing_entirely', at: t1 },
      ]);
      let read = await store.findById(key.id);
      expect(read!.lastUsedAt!.getTime()).toBe(t1.getTime());
      expect(read!.updatedAt.getTime()).toBe(key.updatedAt.getTime());
      await store.touchKeys([{ keyId: key.id, at: new Date(t1.getTime() - 60_000) }]);
      read = await store.findById(key.id);
      expect(read!.lastUsedAt!.getTime()).toBe(t1.getTime());
      const t2 = new Date(t1.getTime() + 61_000);
      await store.touchKeys([{ keyId: key.id, at: t2 }]);
      expect((await store.findById(key.id))!.lastUsedAt!.getTime()).toBe(t2.getTime());
      expect(await store.findById('key_missing_entirely')).toBeNull();
    });

    it('engine: writes lastUsedAt at most once per key per interval under 1000 verifies, and exact counts', async () => {
      const store = await fresh();
      const writes: { at: number; touches: KeyTouch[] }[] = [];
      const counted: UsageStore = {
        addUsage: (rows) => store.addUsage(rows),
        readUsage: (range) => store.readUsage(range),
        touchKeys: (touches) => {
          writes.push({ at: Date.now(), touches: [...touches] });
          return store.touchKeys(touches);
        },
      };
      const interval = 150;
      const keyward = createKeyward({
        ...options.keyward,
        store,
        format: prefixedFormat({ prefix: 'kw' }),
        usage: { store: counted, lastUsedInterval: interval, flushInterval: 40 },
      });
      const ws = unique('ws');
      const a = await keyward.create({ workspaceId: ws, name: 'a' });
      const b = await keyward.create({ workspaceId: ws, name: 'b' });
      const started = Date.now();
      let lastVerify = 0;
      for (let round = 0; round < 10; round++) {
        const results = await Promise.all(
          Array.from({ length: 100 }, (_, i) => keyward.verify({ authorization: `Bearer ${i % 4 === 0 ? b.key : a.key}` })),
        );
        lastVerify = Date.now();
        expect(results.every((r) => r.ok)).toBe(true);
        await sleep(50);
      }
      // Refusals are not usage.
      expect((await keyward.verify({ authorization: 'Bearer kw_nope' })).ok).toBe(false);
      const elapsed = Date.now() - started;
      await keyward.close();
      const perKey = new Map<string, number>();
      for (const w of writes) {
        const ids = w.touches.map((t) => t.keyId);
        expect(new Set(ids).size).toBe(ids.length);
        for (const id of ids) perKey.set(id, (perKey.get(id) ?? 0) + 1);
      }
      // One write per elapsed interval, plus the one of close().
      const bound = Math.floor(elapsed / interval) + 2;
      expect(perKey.get(a.record.id)).toBeGreaterThanOrEqual(1);
      expect(perKey.get(a.record.id)).toBeLessThanOrEqual(bound);
      expect(perKey.get(b.record.id)).toBeLessThanOrEqual(bound);
      expect(bound).toBeLessThan(20);
      // Timer writes (all but the last, from close) are an interval apart at least.
      for (let i = 1; i < writes.length - 1; i++) expect(writes[i]!.at - writes[i - 1]!.at).toBeGreaterThanOrEqual(interval - 5);
      const stored = await store.findById(a.record.id);
      expect(stored!.lastUsedAt).not.toBeNull();
      expect(Math.abs(stored!.lastUsedAt!.getTime() - lastVerify)).toBeLessThan(1000);
      const today = new Date().toISOString().slice(0, 10);
      const report = await keyward.usage({ workspaceId: ws, from: today, to: today });
      expect(report.total).toBe(1000);
      expect(report.keys).toEqual([
        { keyId: a.record.id, count: 750 },
        { keyId: b.record.id, count: 250 },
      ]);
      expect(report.byKeyAndDay).toEqual(
        [
          { keyId: a.record.id, day: today, count: 750 },
          { keyId: b.record.id, day: today, count: 250 },
        ].sort((x, y) => (x.keyId < y.keyId ? -1 : 1)),
      );
      expect((await keyward.usage({ keyId: b.record.id, from: today, to: today })).days).toEqual([{ day: today, count: 250 }]);
    });

    it('engine: splits counts at midnight UTC and reports every day of the range', async () => {
      const store = await fresh();
      let clock = Date.UTC(2026, 6, 31, 23, 59, 59, 0);
      const keyward = createKeyward({
        ...options.keyward,
        store,
        now: () => clock,
        cache: false,
        usage: { lastUsedInterval: '1h', flushInterval: '1h' },
      });
      const created = await keyward.create({ workspaceId: unique('ws'), name: 'midnight' });
      for (let i = 0; i < 3; i++) expect((await keyward.verify({ authorization: `Bearer ${created.key}` })).ok).toBe(true);
      clock += 2000;
      for (let i = 0; i < 2; i++) expect((await keyward.verify({ authorization: `Bearer ${created.key}` })).ok).toBe(true);
      await keyward.flush();
      const report = await keyward.usage({ keyId: created.record.id, from: '2026-07-30', to: '2026-08-02' });
      expect(report).toEqual({
        from: '2026-07-30',
        to: '2026-08-02',
        total: 5,
        days: [
          { day: '2026-07-30', count: 0 },
          { day: '2026-07-31', count: 3 },
          { day: '2026-08-01', count: 2 },
          { day: '2026-08-02', count: 0 },
        ],
        keys: [{ keyId: created.record.id, count: 5 }],
        byKeyAndDay: [
          { keyId: created.record.id, day: '2026-07-31', count: 3 },
          { keyId: created.record.id, day: '2026-08-01', count: 2 },
        ],
      });
      expect((await store.findById(created.record.id))!.lastUsedAt!.getTime()).toBe(clock);
      await keyward.close();
    });

    if (options.openTwin) {
      const openTwin = options.openTwin;
      it('engine: two engines on one store count exactly', async () => {
        const store = await fresh();
        const twin = await openTwin(store);
        opened.push(twin);
        const one = createKeyward({ ...options.keyward, store, usage: { flushInterval: 20, lastUsedInterval: 50 } });
        const two = createKeyward({ ...options.keyward, store: twin, usage: { flushInterval: 25, lastUsedInterval: 50 } });
        const ws = unique('ws');
        const created = await one.create({ workspaceId: ws, name: 'shared' });
        for (let round = 0; round < 6; round++) {
          await Promise.all([
            ...Array.from({ length: 50 }, () => one.verify({ authorization: `Bearer ${created.key}` })),
            ...Array.from({ length: 30 }, () => two.verify({ authorization: `Bearer ${created.key}` })),
          ]);
          await sleep(15);
        }
        await Promise.all([one.close(), two.close()]);
        const today = new Date().toISOString().slice(0, 10);
        expect((await two.usage({ keyId: created.record.id, from: today, to: today })).total).toBe(480);
      });
    }
  });
}
