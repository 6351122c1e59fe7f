import { describe, expect, it } from 'vitest';
// The reference store, by path: a package dependency would make core and store-memory a cycle.
import { memoryStore } from '@keyward/store-memory';
import { idSecretFormat } from '../format/id-secret.js';
import { hmacSha256Hasher, sha256Hasher } from '../hash/hasher.js';
import type { StoredKey } from '../store/types.js';
import { createKeyward } from '../engine/keyward.js';
import { bearer, code, setup, sha, tipar } from '../engine/test-support.js';

describe('legacy keys', () => {
  const sunset = new Date(Date.UTC(2026, 5, 30));

  async function legacySetup(now: number) {
    let clock = now;
    const owners: Record<string, string[]> = { user_1: ['ws_a', 'ws_b'], user_2: ['ws_c'] };
    const keyward = createKeyward({
      store: memoryStore(),
      format: idSecretFormat(),
      now: () => clock,
      legacy: { deprecatedAt: '2026-01-01T00:00:00Z', link: 'https://docs.example.com/migrate' },
      ownsWorkspace: (owner, ws) => owners[owner]?.includes(ws) ?? false,
    });
    const plain = idSecretFormat().generate();
    const record = await keyward.import({
      id: plain.id!,
      hash: sha(plain.key.slice(plain.key.indexOf('.') + 1)),
      ownerId: 'user_1',
      legacy: true,
      sunsetAt: sunset,
      name: 'personal key',
      hint: plain.key.slice(-4),
    });
    return { keyward, key: plain.key, record, setClock: (t: number) => (clock = t) };
  }

  it('work in every workspace of their owner before the sunset, with Deprecation and Sunset headers', async () => {
    const { keyward, key } = await legacySetup(Date.UTC(2026, 4, 1));
    for (const ws of ['ws_a', 'ws_b']) {
      const result = await keyward.verify(bearer(key), { workspaceId: ws });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.headers).toEqual({
        deprecation: `@${Date.UTC(2026, 0, 1) / 1000}`,
        sunset: 'Tue, 30 Jun 2026 00:00:00 GMT',
        link: '<https://docs.example.com/migrate>; rel="deprecation"; type="text/html"',
      });
    }
    expect(code(await keyward.verify(bearer(key), { workspaceId: 'ws_c' }))).toBe('invalid_key');
  });

  it('get 401 after the sunset', async () => {
    const { keyward, key, setClock } = await legacySetup(Date.UTC(2026, 4, 1));
    setClock(sunset.getTime());
    const result = await keyward.verify(bearer(key), { workspaceId: 'ws_a' });
    expect(code(result)).toBe('key_sunset');
    expect(!result.ok && result.error.status).toBe(401);
  });

  it('can be listed and revoked but not renamed or rotated', async () => {
    const { keyward, key, record } = await legacySetup(Date.UTC(2026, 4, 1));
    expect((await keyward.list({ ownerId: 'user_1' })).items.map((k) => k.id)).toEqual([record.id]);
    await expect(keyward.rename(record.id, 'new')).rejects.toMatchObject({ code: 'conflict' });
    await expect(keyward.rotate(record.id)).rejects.toMatchObject({ code: 'conflict' });
    await keyward.revoke(record.id);
    expect(code(await keyward.verify(bearer(key), { workspaceId: 'ws_a' }))).toBe('invalid_key');
  });

  it("take the engine's default sunset when they have none", async () => {
    const keyward = createKeyward({
      store: memoryStore(),
      format: tipar,
      legacy: { sunset: '2026-06-30T00:00:00Z' },
      now: () => Date.UTC(2026, 6, 1),
    });
    const { key } = tipar.generate();
    await keyward.import({ hash: sha(key), workspaceId: 'ws', legacy: true, name: 'old', hint: key.slice(-4) });
    expect(code(await keyward.verify(bearer(key)))).toBe('key_sunset');
    // Readable, for management pages that show the sunset of keys that have none of their own.
    expect(keyward.legacySunset?.toISOString()).toBe('2026-06-30T00:00:00.000Z');
    expect(createKeyward({ store: memoryStore() }).legacySunset).toBeNull();
  });
});

describe('hash versions', () => {
  const pepperV1 = 'v1-pepper-0123456789-0123456789-0123456789';
  const pepperV2 = 'v2-pepper-0123456789-0123456789-0123456789';

  it('upgrades a SHA-256 hash to the newest HMAC pepper on its next successful use', async () => {
    const store = memoryStore();
    const old = createKeyward({ store, format: tipar });
    const { key, record } = await old.create({ workspaceId: 'ws', name: 'k' });
    const v1 = hmacSha256Hasher({ pepper: pepperV1 });
    const upgraded = createKeyward({ store, format: tipar, hash: [v1, sha256Hasher()] });
    expect(code(await upgraded.verify(bearer(key)))).toBe('ok');
    await new Promise((r) => setTimeout(r, 10));
    const stored = store.findById(record.id) as StoredKey;
    expect(stored.hashVersion).toBe('hmac-sha256:v1');
    expect(stored.hash).toBe(v1.hash(key));
    // The SHA-256 hasher can now be dropped: the key still verifies with the pepper alone.
    expect(code(await createKeyward({ store, format: tipar, hash: v1 }).verify(bearer(key)))).toBe('ok');
  });

  it('rotates peppers: keys of the old pepper keep working and move to the new one', async () => {
    const store = memoryStore();
    const v1 = hmacSha256Hasher({ pepper: pepperV1, id: 'v1' });
    const v2 = hmacSha256Hasher({ pepper: pepperV2, id: 'v2' });
    for (const format of [tipar, idSecretFormat()]) {
      const { key, record } = await createKeyward({ store, format, hash: v1 }).create({ workspaceId: 'ws', name: 'k' });
      const both = createKeyward({ store, format, hash: [v2, v1] });
      expect(code(await both.verify(bearer(key)))).toBe('ok');
      await new Promise((r) => setTimeout(r, 10));
      expect((store.findById(record.id) as StoredKey).hashVersion).toBe('hmac-sha256:v2');
      expect(code(await createKeyward({ store, format, hash: v2 }).verify(bearer(key)))).toBe('ok');
      const newKey = await both.create({ workspaceId: 'ws', name: 'new' });
      expect((store.findById(newKey.record.id) as StoredKey).hashVersion).toBe('hmac-sha256:v2');
    }
  });

  it('imports hashes made by another system', async () => {
    const { keyward } = setup();
    const { key } = tipar.generate();
    const record = await keyward.import({ hash: sha(key).toUpperCase(), workspaceId: 'ws', name: 'imported', hint: key.slice(-4) });
    expect(record.hint).toBe(key.slice(-4));
    expect(code(await keyward.verify(bearer(key)))).toBe('ok');
    await expect(keyward.import({ hash: 'nothex', workspaceId: 'ws', name: 'x', hint: 'abcd' })).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(keyward.import({ hash: sha('x'), hashVersion: 'md5', workspaceId: 'ws', name: 'x', hint: 'abcd' })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(keyward.import({ hash: sha('y'), name: 'x', hint: 'abcd' })).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});
