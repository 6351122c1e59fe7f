import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createKeyward } from '../engine/keyward.js';
import type { SuiteEngineOptions } from './engine-options.js';
import type { KeyStore, StoredKey } from '../store/types.js';
import { sampleStoredKey } from './fixtures.js';
import { describeBadKeyInput } from './bad-input.js';
import { describeListExpiring } from './key-store-expiring.js';
import { describeKeyRotation } from './key-store-rotation.js';
import { expectCode, keySuiteFormats } from './suite-helpers.js';

/** How to run the store contract against one store. */
export interface KeyStoreSuiteOptions<S extends KeyStore = KeyStore> {
  /** Shown in the test names. */
  name: string;
  /** Returns a store whose data no other test sees (a fresh store, or a fresh namespace). */
  createStore: () => Promise<S> | S;
  /**
   * Everything the store holds, as raw text (rows, hashes, JSON): the suite checks that no plaintext
   * key appears in it.
   */
  dumpRaw: (store: S) => Promise<string> | string;
  /** Closes what `createStore` opened. */
  closeStore?: (store: S) => Promise<void> | void;
  /** Added to every engine the suite makes: a logger, instruments. */
  keyward?: SuiteEngineOptions;
}

const formats = keySuiteFormats;

/**
 * The contract every `KeyStore` must pass (Auth.js `runBasicTests`, unstorage `testDriver`): round
 * trips of every field and date, lookups, listing, revoke, rename, rotate, expiry, concurrency,
 * and no plaintext at rest.
 */
export function describeKeyStore<S extends KeyStore>(options: KeyStoreSuiteOptions<S>): void {
  describe(`KeyStore contract: ${options.name}`, () => {
    const opened: S[] = [];
    let clock = Date.UTC(2026, 10, 22, 12, 0, 0);
    const now = () => clock;

    async function fresh() {
      const store = await options.createStore();
      opened.push(store);
      return { store, keyward: createKeyward({ ...options.keyward, store, format: formats, now }) };
    }

    afterAll(async () => {
      for (const store of opened) await options.closeStore?.(store);
    });

    let store: S;
    beforeAll(async () => {
      store = (await fresh()).store;
    });

    it('round-trips every field and date, by id and by hash', async () => {
      const key = sampleStoredKey({
        revokedAt: new Date(Date.UTC(2027, 1, 2, 3, 4, 5, 6)),
        lastUsedAt: new Date(Date.UTC(2026, 3, 4, 5, 6, 7, 8)),
        counterId: 'key_root:é/1',
      });
      await store.insert(key);
      const byId = await store.findById(key.id);
      const byHash = await store.findByHash(key.hash);
      expect(byId).toEqual(key);
      expect(byHash).toEqual(key);
      expect(byId!.createdAt).toBeInstanceOf(Date);
      expect(byId!.createdAt.getTime()).toBe(key.createdAt.getTime());
    });

    it('round-trips null fields, empty lists and a legacy owner key', async () => {
      const key = sampleStoredKey({
        workspaceId: null,
        legacy: true,
        environment: null,
        scopes: [],
        expiresAt: null,
        sunsetAt: new Date(Date.UTC(2026, 5, 30)),
        metadata: {},
        createdBy: null,
        counterId: null,
      });
      await store.insert(key);
      expect(await store.findById(key.id)).toEqual(key);
      // A record written without createdBy or counterId (by a store or tool that predates them) reads back null.
      const { createdBy: _omitted, counterId: _none, ...older } = sampleStoredKey();
      await store.insert(older);
      expect((await store.findById(older.id))?.createdBy ?? null).toBeNull();
      expect((await store.findById(older.id))?.counterId ?? null).toBeNull();
    });

    it('answers null for an unknown id or hash', async () => {
      expect(await store.findById('key_does_not_exist')).toBeNull();
      expect(await store.findByHash('0'.repeat(64))).toBeNull();
    });

    it('refuses a second key with the same id or the same hash', async () => {
      const key = sampleStoredKey();
      await store.insert(key);
      await expectCode(store.insert(sampleStoredKey({ id: key.id })), 'conflict');
      await expectCode(store.insert(sampleStoredKey({ hash: key.hash })), 'conflict');
    });

    it('lists a workspace oldest first, page by page, never another workspace', async () => {
      const { store: s } = await fresh();
      const ws = `ws_list_${Math.random().toString(36).slice(2)}`;
      const keys: StoredKey[] = [];
      for (let i = 0; i < 7; i++) keys.push(sampleStoredKey({ workspaceId: ws, createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)) }));
      // Two keys created in the same millisecond are ordered by id.
      keys.push(sampleStoredKey({ workspaceId: ws, id: 'key_zzzz_same_ms', createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, 6)) }));
      for (const k of [...keys].reverse()) await s.insert(k);
      await s.insert(sampleStoredKey({ workspaceId: `${ws}_other` }));
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await s.list({ workspaceId: ws, limit: 3, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.items.map((k) => k.id));
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor && pages < 10);
      const expected = [...keys].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : 1)).map((k) => k.id);
      expect(seen).toEqual(expected);
      expect(pages).toBe(3);
    });

    it('lists by owner and can leave revoked keys out', async () => {
      const { store: s } = await fresh();
      const owner = `owner_${Math.random().toString(36).slice(2)}`;
      const live = sampleStoredKey({ ownerId: owner, workspaceId: null, legacy: true });
      const revoked = sampleStoredKey({ ownerId: owner, workspaceId: null, legacy: true, revokedAt: new Date() });
      await s.insert(live);
      await s.insert(revoked);
      expect((await s.list({ ownerId: owner })).items.map((k) => k.id).sort()).toEqual([live.id, revoked.id].sort());
      expect((await s.list({ ownerId: owner, includeRevoked: false })).items.map((k) => k.id)).toEqual([live.id]);
    });

    it('updates fields and answers null for a missing key', async () => {
      const key = sampleStoredKey();
      await store.insert(key);
      const updatedAt = new Date(Date.UTC(2026, 6, 1));
      const updated = await store.update(key.id, { name: 'renamed', scopes: ['a:b'], metadata: { x: 1 }, updatedAt });
      expect(updated).toMatchObject({ name: 'renamed', scopes: ['a:b'], metadata: { x: 1 } });
      expect(updated!.updatedAt.getTime()).toBe(updatedAt.getTime());
      expect(await store.findById(key.id)).toEqual(updated);
      expect(await store.update('key_missing', { name: 'x', updatedAt })).toBeNull();
    });

    it('moves the hash index when the hash is upgraded', async () => {
      const key = sampleStoredKey();
      await store.insert(key);
      const newHash = `${'f'.repeat(63)}0`;
      await store.update(key.id, { hash: newHash, hashVersion: 'hmac-sha256:v1', updatedAt: new Date() });
      expect(await store.findByHash(key.hash)).toBeNull();
      expect((await store.findByHash(newHash))?.id).toBe(key.id);
    });

    it('deletes a key from both lookups', async () => {
      const key = sampleStoredKey();
      await store.insert(key);
      expect((await store.delete(key.id))?.id).toBe(key.id);
      expect(await store.findById(key.id)).toBeNull();
      expect(await store.findByHash(key.hash)).toBeNull();
      expect(await store.delete(key.id)).toBeNull();
    });

    it('creates, verifies, renames and revokes through the engine; revoking twice keeps the first date', async () => {
      const { keyward } = await fresh();
      const { key, record } = await keyward.create({ workspaceId: 'ws_engine', name: 'first', scopes: ['notes:read'] });
      expect((await keyward.verify({ authorization: `Bearer ${key}` })).ok).toBe(true);
      expect((await keyward.rename(record.id, 'second')).name).toBe('second');
      const revokedAt = clock;
      const first = await keyward.revoke(record.id);
      clock += 5000;
      const second = await keyward.revoke(record.id);
      expect(first.revokedAt!.getTime()).toBe(revokedAt);
      expect(second.revokedAt!.getTime()).toBe(revokedAt);
      const result = await keyward.verify({ authorization: `Bearer ${key}` });
      expect(result.ok ? 'ok' : result.error.code).toBe('invalid_key');
    });

    it('works for id.secret keys looked up by id', async () => {
      const { keyward } = await fresh();
      const { key, record } = await keyward.create({ workspaceId: 'ws_engine', name: 'tiro', format: 'id-secret' });
      expect(key.startsWith(`${record.id}.`)).toBe(true);
      const ok = await keyward.verify({ authorization: `Bearer ${key}` });
      expect(ok.ok && ok.key.id).toBe(record.id);
      const wrong = await keyward.verify({ authorization: `Bearer ${record.id}.${'A'.repeat(32)}` });
      expect(wrong.ok ? 'ok' : wrong.error.code).toBe('invalid_key');
    });

    it('expires keys by the clock', async () => {
      const { keyward } = await fresh();
      const { key } = await keyward.create({ workspaceId: 'ws_engine', name: 'short', expiresIn: '1h' });
      expect((await keyward.verify({ authorization: `Bearer ${key}` })).ok).toBe(true);
      clock += 3_600_000;
      const result = await keyward.verify({ authorization: `Bearer ${key}` });
      expect(result.ok ? 'ok' : result.error.code).toBe('expired_key');
    });

    describeKeyRotation({ fresh, now, tick: (ms) => (clock += ms) });

    it('loses nothing under concurrent creates', async () => {
      const { keyward } = await fresh();
      const ws = `ws_many_${Math.random().toString(36).slice(2)}`;
      const created = await Promise.all(Array.from({ length: 60 }, (_, i) => keyward.create({ workspaceId: ws, name: `k${i}` })));
      const ids = new Set<string>();
      let cursor: string | undefined;
      do {
        const page = await keyward.list({ workspaceId: ws, limit: 25, ...(cursor ? { cursor } : {}) });
        for (const k of page.items) ids.add(k.id);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(ids.size).toBe(60);
      for (const c of created) expect(ids.has(c.record.id)).toBe(true);
    });

    describeListExpiring(async () => (await fresh()).store);

    describeBadKeyInput(fresh);

    it('stores no plaintext key or secret, and lists no hash', async () => {
      const { keyward, store: s } = await fresh();
      const a = await keyward.create({ workspaceId: 'ws_raw', name: 'opaque' });
      const b = await keyward.create({ workspaceId: 'ws_raw', name: 'tiro', format: 'id-secret' });
      const raw = await options.dumpRaw(s);
      const secretOfB = b.key.slice(b.key.indexOf('.') + 1);
      expect(raw.length).toBeGreaterThan(0);
      expect(raw).toContain(a.record.id);
      expect(raw).not.toContain(a.key);
      expect(raw).not.toContain(a.key.slice(8, 30));
      expect(raw).not.toContain(b.key);
      expect(raw).not.toContain(secretOfB);
      const listed = await keyward.list({ workspaceId: 'ws_raw' });
      for (const item of listed.items) {
        expect(item).not.toHaveProperty('hash');
        expect(JSON.stringify(item)).not.toContain((await s.findById(item.id))!.hash);
      }
    });
  });
}
