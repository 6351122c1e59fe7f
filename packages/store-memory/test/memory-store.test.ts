import { describeKeyStore } from '@keyward/core/testing';
import { memoryStore } from '@keyward/store-memory';
import { describe, expect, it } from 'vitest';

describeKeyStore({
  name: 'memory',
  createStore: () => memoryStore(),
  dumpRaw: (store) => store.dump(),
});

describe('memoryStore specifics', () => {
  it('answers lookups synchronously (no promise on the hot path)', async () => {
    const store = memoryStore();
    const result = store.findByHash('0'.repeat(64));
    expect(result).toBeNull();
    expect(typeof (result as unknown as { then?: unknown })?.then).toBe('undefined');
  });

  it('refuses inserts past maxKeys', async () => {
    const store = memoryStore({ maxKeys: 1 });
    const { sampleStoredKey } = await import('@keyward/core/testing');
    await store.insert(sampleStoredKey());
    await expect(store.insert(sampleStoredKey())).rejects.toMatchObject({ code: 'conflict' });
    expect(store.size).toBe(1);
  });

  it('never lets a caller mutate a stored record', async () => {
    const store = memoryStore();
    const { sampleStoredKey } = await import('@keyward/core/testing');
    const key = sampleStoredKey();
    await store.insert(key);
    const found = store.findById(key.id) as unknown as { scopes: string[] };
    expect(() => found.scopes.push('admin:*')).toThrow(TypeError);
    expect((store.findById(key.id) as unknown as { scopes: string[] }).scopes).toEqual(key.scopes);
  });
});
