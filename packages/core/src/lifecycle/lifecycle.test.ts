import { describe, expect, it } from 'vitest';
import type { StoredKey } from '../store/types.js';
import { bearer, code, setup, sha } from '../engine/test-support.js';

describe('Keyward.create', () => {
  it('returns the plaintext once with a record of every field, and keeps no plaintext', async () => {
    const { keyward, store } = setup();
    const { key, record } = await keyward.create({
      workspaceId: 'ws_a',
      name: 'prod-billing-worker',
      scopes: ['notes:read'],
      environment: 'test',
      expiresIn: '30d',
      metadata: { team: 'billing' },
    });
    expect(key).toMatch(/^tipar_test_[0-9A-Za-z]{32}$/);
    expect(record).toMatchObject({
      workspaceId: 'ws_a',
      name: 'prod-billing-worker',
      environment: 'test',
      scopes: ['notes:read'],
      hint: key.slice(-4),
      prefix: 'tipar_test_',
      metadata: { team: 'billing' },
      legacy: false,
      revokedAt: null,
    });
    expect(record.id).toMatch(/^key_[0-9A-Za-z]{20}$/);
    expect(record.createdAt).toBeInstanceOf(Date);
    expect(record.expiresAt!.getTime() - record.createdAt.getTime()).toBe(30 * 86_400_000);
    expect(record).not.toHaveProperty('hash');
    expect(JSON.stringify(record)).not.toContain(key.slice(11, 30));
    const stored = (await store.findById(record.id)) as StoredKey;
    expect(stored.hash).toBe(sha(key));
    expect(JSON.stringify(stored)).not.toContain(key);
  });

  it('refuses to create legacy keys and bad input, with clear errors', async () => {
    const { keyward } = setup();
    await expect(keyward.create({ workspaceId: 'ws', name: 'x', legacy: true } as never)).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringContaining('only imported'),
    });
    await expect(keyward.create({ workspaceId: '', name: 'x' })).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(keyward.create({ workspaceId: 'ws', name: '' })).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(keyward.create({ workspaceId: 'ws', name: 'x', scopes: ['bad scope'] })).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(keyward.create({ workspaceId: 'ws', name: 'x', environment: 'prod' })).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(keyward.create({ workspaceId: 'ws', name: 'x', expiresIn: '3 fortnights' as never })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(keyward.create({ workspaceId: 'ws', name: 'x', format: 'nope' })).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('allows several active keys per workspace and lists them without hashes', async () => {
    const { keyward } = setup();
    const keys = await Promise.all([1, 2, 3].map((i) => keyward.create({ workspaceId: 'ws_multi', name: `k${i}` })));
    await keyward.create({ workspaceId: 'ws_other', name: 'other' });
    for (const { key } of keys) expect(code(await keyward.verify(bearer(key)))).toBe('ok');
    const page = await keyward.list({ workspaceId: 'ws_multi' });
    expect(page.items.map((k) => k.name).sort()).toEqual(['k1', 'k2', 'k3']);
    for (const item of page.items) expect(item).not.toHaveProperty('hash');
    await expect(keyward.list({} as never)).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});

describe('rotation', () => {
  it.each([
    ['1h', 3_600_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
  ] as const)('keeps the old key for a grace period of %s, then refuses it', async (grace, ms) => {
    const { keyward, tick } = setup();
    const old = await keyward.create({ workspaceId: 'ws', name: 'k', scopes: ['a:b'] });
    const next = await keyward.rotate(old.record.id, { gracePeriod: grace });
    expect(next.key).not.toBe(old.key);
    tick(ms - 1);
    expect(code(await keyward.verify(bearer(old.key)))).toBe('ok');
    tick(1);
    expect(code(await keyward.verify(bearer(old.key)))).toBe('expired_key');
    expect(code(await keyward.verify(bearer(next.key), { scopes: ['a:b'] }))).toBe('ok');
  });

  it('honours the workspace guard on lifecycle calls', async () => {
    const { keyward } = setup();
    const { record } = await keyward.create({ workspaceId: 'ws_a', name: 'k' });
    await expect(keyward.revoke(record.id, { workspaceId: 'ws_b' })).rejects.toMatchObject({ code: 'not_found', status: 404 });
    await expect(keyward.rotate(record.id, { workspaceId: 'ws_b' })).rejects.toMatchObject({ code: 'not_found' });
    expect(await keyward.get(record.id, { workspaceId: 'ws_b' })).toBeNull();
    expect(await keyward.delete(record.id, { workspaceId: 'ws_b' })).toBe(false);
    expect((await keyward.get(record.id, { workspaceId: 'ws_a' }))?.id).toBe(record.id);
  });

  it('refuses to rotate a revoked key or to rotate twice', async () => {
    const { keyward } = setup();
    const a = await keyward.create({ workspaceId: 'ws', name: 'a' });
    await keyward.rotate(a.record.id, { gracePeriod: '1h' });
    await expect(keyward.rotate(a.record.id)).rejects.toMatchObject({ code: 'conflict' });
    const b = await keyward.create({ workspaceId: 'ws', name: 'b' });
    await keyward.revoke(b.record.id);
    await expect(keyward.rotate(b.record.id)).rejects.toMatchObject({ code: 'conflict' });
    await expect(keyward.rotate(b.record.id, { gracePeriod: '-1h' as never })).rejects.toThrow(RangeError);
  });
});
