import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memoryStore } from '@keyward/store-memory';
import { createKeyward } from '../engine/keyward.js';
import type { VerifyOptions } from '../engine/types.js';
import { prefixedFormat } from '../format/prefixed.js';
import { sha256Hasher } from '../hash/hasher.js';
import type { KeyStore, StoredKey } from '../store/types.js';
import { describeFusedCounterStore } from '../testing/describe-fused-counter-store.js';
import { sampleStoredKey } from '../testing/fixtures.js';
import { type CounterPlan, type CounterRequest, counterRequest, type FusedCounterStore, guardAdmits } from './types.js';

/**
 * The reference implementation of the fused lookup: the memory store (behind promises, like a
 * network store), `guardAdmits`, then `consumeCounters(counterRequest(plan, record))`. Counts calls.
 */
function fusedMemory() {
  const inner = memoryStore();
  const calls = { findByHash: 0, fused: 0, consume: 0 };
  const store: KeyStore & FusedCounterStore = {
    ...inner,
    local: false,
    findByHash: async (hash: string) => {
      calls.findByHash++;
      return inner.findByHash(hash);
    },
    consumeCounters: async (request: CounterRequest) => {
      calls.consume++;
      return inner.consumeCounters(request);
    },
    async findByHashAndConsume(hash: string, plan: CounterPlan) {
      calls.fused++;
      const record = inner.findByHash(hash);
      if (record === null || !guardAdmits(plan.guard, plan.now, record)) return { record, counters: null };
      return { record, counters: await inner.consumeCounters(counterRequest(plan, record)) };
    },
  };
  return { store, calls };
}

describeFusedCounterStore({ name: 'memory reference', store: () => fusedMemory().store });

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('lookup and counters in one round trip', () => {
  it('on a cache miss the engine makes one store call; on a hit, the counters alone', async () => {
    const { store, calls } = fusedMemory();
    const keyward = createKeyward({ store, policies: { quota: { limit: 10, period: 'day' } }, cache: { ttl: 60_000 } });
    const { key } = await keyward.create({ workspaceId: 'ws', name: 'k' });
    const first = await keyward.verify(bearer(key));
    expect(first.ok && first.headers.ratelimit).toMatch(/^"quota";r=9;/);
    expect(calls).toEqual({ findByHash: 0, fused: 1, consume: 0 });
    const second = await keyward.verify(bearer(key));
    expect(second.ok && second.headers.ratelimit).toMatch(/^"quota";r=8;/);
    expect(calls).toEqual({ findByHash: 0, fused: 1, consume: 1 });
  });

  it('a key the guard does not admit is decided by the engine first: refused, nothing counted; admitted, counted once', async () => {
    const { store, calls } = fusedMemory();
    const keyward = createKeyward({ store, policies: { quota: { limit: 10, period: 'day' } }, cache: false });
    const { key } = await keyward.create({ workspaceId: 'ws', name: 'k', scopes: ['notes:*'] });
    // `notes:*` grants `notes:read` in the engine, not in the guard (literal scopes only).
    const granted = await keyward.verify(bearer(key), { scopes: ['notes:read'] });
    expect(granted.ok && granted.headers.ratelimit).toMatch(/^"quota";r=9;/);
    expect(calls).toMatchObject({ fused: 1, consume: 1 });
    const refused = await keyward.verify(bearer(key), { scopes: ['files:read'] });
    expect(refused.ok ? 'ok' : refused.error.code).toBe('insufficient_scope');
    expect(calls).toMatchObject({ fused: 2, consume: 1 });
    // A dry run reports what would be left after the request it checks: 9 left, so 8.
    const after = await keyward.verify(bearer(key), { dryRun: true });
    expect(after.ok && after.headers.ratelimit).toMatch(/^"quota";r=8;/);
  });

  it('policies from a resolver, or an invalid cost, take the ordinary path', async () => {
    const { store, calls } = fusedMemory();
    const keyward = createKeyward({ store, policies: () => ({ quota: { limit: 10, period: 'day' } }), cache: false });
    const { key } = await keyward.create({ workspaceId: 'ws', name: 'k' });
    expect((await keyward.verify(bearer(key))).ok).toBe(true);
    expect(calls).toEqual({ findByHash: 1, fused: 0, consume: 1 });
    const fixed = createKeyward({ store, policies: { quota: { limit: 10, period: 'day' } }, cache: false });
    expect(await fixed.verify(bearer(key), { cost: -1 })).toMatchObject({ ok: false, error: { code: 'invalid_argument' } });
    expect(calls).toEqual({ findByHash: 2, fused: 0, consume: 1 });
  });

  it('a store that fails or hangs answers 503, never a pass', async () => {
    const { store } = fusedMemory();
    const keyward = createKeyward({ store, policies: { quota: { limit: 10, period: 'day' } }, cache: false, storeTimeout: 50 });
    const { key } = await keyward.create({ workspaceId: 'ws', name: 'k' });
    store.findByHashAndConsume = () => Promise.reject(new Error('connection reset'));
    expect(await keyward.verify(bearer(key))).toMatchObject({ ok: false, error: { code: 'store_unavailable' } });
    store.findByHashAndConsume = () => {
      throw new Error('client closed');
    };
    expect(await keyward.verify(bearer(key))).toMatchObject({ ok: false, error: { code: 'store_unavailable' } });
    store.findByHashAndConsume = () => new Promise(() => {});
    expect(await keyward.verify(bearer(key))).toMatchObject({ ok: false, error: { code: 'store_unavailable' } });
  });

  it('whatever the guard admits, the engine admits too (so counters consumed with the lookup are never spent on a refusal)', async () => {
    const hasher = sha256Hasher();
    const format = prefixedFormat({ prefix: 'kw' });
    const now = Date.UTC(2026, 5, 15);
    const scope = fc.constantFrom('notes:read', 'notes:write', 'notes:*', 'files:read', '*');
    const date = fc.option(
      fc.integer({ min: -2, max: 2 }).map((d) => new Date(now + d)),
      { nil: null },
    );
    const env = fc.option(fc.constantFrom('live', 'test'), { nil: null });
    const ws = fc.option(fc.constantFrom('ws_a', 'ws_b'), { nil: null });
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          workspaceId: ws,
          environment: env,
          scopes: fc.uniqueArray(scope, { maxLength: 3 }),
          revokedAt: date,
          expiresAt: date,
          legacy: fc.boolean(),
          hashVersion: fc.constantFrom('sha256', 'old'),
        }),
        fc.record({
          workspaceId: fc.option(fc.constantFrom('ws_a', 'ws_b'), { nil: undefined }),
          environment: fc.option(fc.constantFrom('live', 'test'), { nil: undefined }),
          scopes: fc.uniqueArray(scope, { maxLength: 2 }),
        }),
        async (fields, asked) => {
          const store = memoryStore();
          const keyward = createKeyward({ store, format, now: () => now, hash: [hasher, { version: 'old', hash: (s: string) => `old:${s}` }] });
          const { key } = format.generate({});
          const parsed = format.parse(key);
          if ('error' in parsed) throw new Error('generated key does not parse');
          const record: StoredKey = sampleStoredKey({
            ...fields,
            ownerId: fields.workspaceId === null ? 'owner' : null,
            format: format.name,
            hash: fields.hashVersion === 'sha256' ? hasher.hash(parsed.secret) : `old:${parsed.secret}`,
            sunsetAt: null,
          });
          await store.insert(record);
          const options: VerifyOptions = {
            ...(asked.workspaceId ? { workspaceId: asked.workspaceId } : {}),
            ...(asked.environment ? { environment: asked.environment } : {}),
            scopes: asked.scopes,
          };
          // The guard exactly as the engine builds it for this key and these options.
          const guard = {
            format: format.name,
            hashVersion: 'sha256',
            workspaceId: options.workspaceId ?? null,
            environment: options.environment !== undefined && parsed.environment === undefined ? options.environment : null,
            scopes: asked.scopes,
          };
          const result = await keyward.verify(bearer(key), options);
          // A key that names another environment is refused before any lookup: no counter is reached.
          const beforeLookup = parsed.environment !== undefined && options.environment !== undefined && parsed.environment !== options.environment;
          if (guardAdmits(guard, now, record) && !beforeLookup) expect(result.ok ? 'ok' : result.error.code).toBe('ok');
        },
      ),
      { numRuns: 400 },
    );
  });
});
