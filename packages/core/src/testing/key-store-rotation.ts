import { describe, expect, it } from 'vitest';
import { createKeyward, type Keyward } from '../engine/keyward.js';
import type { VerifyResult } from '../engine/types.js';
import { isKeywardError } from '../errors.js';
import type { CounterStore } from '../policy/types.js';
import type { KeyStore } from '../store/types.js';
import { bearer, keySuiteFormats as formats } from './suite-helpers.js';

/** What the rotation part of the contract needs from `describeKeyStore`. */
export interface RotationSuiteContext {
  /** A store no other test sees, and an engine on it. */
  fresh: () => Promise<{ store: KeyStore; keyward: Keyward }>;
  /** The suite's clock. */
  now: () => number;
  /** Moves the suite's clock on. */
  tick: (ms: number) => void;
}

/**
 * The rotation part of the key store contract: grace periods, who created the successor, counters
 * carried to it, an immediate rotation, and one winner among concurrent rotations. Run by
 * `describeKeyStore`.
 */
export function describeKeyRotation({ fresh, now, tick }: RotationSuiteContext): void {
  describe('rotation', () => {
    it('rotates with a grace period: both keys work, then only the new one', async () => {
      const { keyward } = await fresh();
      const old = await keyward.create({ workspaceId: 'ws_rot', name: 'rotating', scopes: ['a:b'], metadata: { m: 1 } });
      const rotated = await keyward.rotate(old.record.id, { gracePeriod: '24h' });
      expect(rotated.record).toMatchObject({ workspaceId: 'ws_rot', name: 'rotating', scopes: ['a:b'], metadata: { m: 1 } });
      expect(rotated.previous.rotatedToId).toBe(rotated.record.id);
      expect((await keyward.verify({ authorization: `Bearer ${old.key}` })).ok).toBe(true);
      expect((await keyward.verify({ authorization: `Bearer ${rotated.key}` })).ok).toBe(true);
      tick(24 * 3_600_000);
      expect((await keyward.verify({ authorization: `Bearer ${old.key}` })).ok).toBe(false);
      expect((await keyward.verify({ authorization: `Bearer ${rotated.key}` })).ok).toBe(true);
    });

    it("keeps who created a key, lists it in the same read, and names the rotator as the successor's creator", async () => {
      const { keyward, store: s } = await fresh();
      const ws = `ws_by_${Math.random().toString(36).slice(2)}`;
      const mine = await keyward.create({ workspaceId: ws, name: 'mine', actor: 'user:alice' });
      const anonymous = await keyward.create({ workspaceId: ws, name: 'nobody' });
      expect(mine.record.createdBy).toBe('user:alice');
      expect(anonymous.record.createdBy).toBeNull();
      const rotated = await keyward.rotate(mine.record.id, { actor: 'user:bob', gracePeriod: '1h' });
      expect(rotated.record.createdBy).toBe('user:bob');
      expect(rotated.previous.createdBy).toBe('user:alice');
      const listed = await keyward.list({ workspaceId: ws });
      expect(Object.fromEntries(listed.items.map((k) => [k.name + (k.rotatedToId ? ' (old)' : ''), k.createdBy]))).toEqual({
        'mine (old)': 'user:alice',
        mine: 'user:bob',
        nobody: null,
      });
      expect((await s.findById(rotated.record.id))?.createdBy).toBe('user:bob');
    });

    it('carries rate limits and quotas through rotations: a successor counts on (issue 15 §3)', async (ctx) => {
      const { store: s } = await fresh();
      if (typeof (s as Partial<CounterStore>).consumeCounters !== 'function') ctx.skip();
      // No cache: every verify reads the store (and, where the store can, counts in the same round trip).
      const keyward = createKeyward({
        store: s,
        format: formats,
        now,
        cache: false,
        policies: { quota: { name: 'quota', limit: 4, period: 'day' }, rateLimits: [{ name: 'rate', limit: 6, window: '1m' }] },
      });
      const remaining = (result: VerifyResult) =>
        result.ok ? (result.headers.ratelimit ?? '').replace(/;t=\d+/g, '') : `${result.error.code} ${result.error.status}`;
      for (const format of ['kw', 'id-secret']) {
        const workspaceId = `ws_carry_${format}_${Math.random().toString(36).slice(2, 8)}`;
        const first = await keyward.create({ workspaceId, name: 'metered', format });
        for (let i = 0; i < 3; i++) expect((await keyward.verify(bearer(first.key))).ok).toBe(true);
        // With a grace period, both keys count on the same counters.
        const second = await keyward.rotate(first.record.id, { gracePeriod: '1h' });
        expect(second.record.counterId).toBe(first.record.id);
        expect(remaining(await keyward.verify(bearer(second.key)))).toBe('"rate";r=2, "quota";r=0');
        expect(remaining(await keyward.verify(bearer(first.key)))).toBe('quota_exceeded 402');
        // And through every later rotation.
        const third = await keyward.rotate(second.record.id);
        expect(third.record.counterId).toBe(first.record.id);
        expect(remaining(await keyward.verify(bearer(third.key)))).toBe('quota_exceeded 402');
        expect((await s.findById(third.record.id))?.counterId).toBe(first.record.id);
        // A new key of the workspace has its own (per-key) counters.
        const fresh = await keyward.create({ workspaceId, name: 'other', format });
        expect(remaining(await keyward.verify(bearer(fresh.key)))).toBe('"rate";r=5, "quota";r=3');
      }
    });

    it('rotates without a grace period: the old key dies at once', async () => {
      const { keyward } = await fresh();
      const old = await keyward.create({ workspaceId: 'ws_rot', name: 'now' });
      const rotated = await keyward.rotate(old.record.id);
      expect((await keyward.verify({ authorization: `Bearer ${old.key}` })).ok).toBe(false);
      expect((await keyward.verify({ authorization: `Bearer ${rotated.key}` })).ok).toBe(true);
      expect((await keyward.get(old.record.id))?.revokedAt).not.toBeNull();
    });

    it('retires a key once under concurrent rotations', async () => {
      const { keyward, store: s } = await fresh();
      const old = await keyward.create({ workspaceId: 'ws_rot_race', name: 'race' });
      const results = await Promise.allSettled(Array.from({ length: 8 }, () => keyward.rotate(old.record.id, { gracePeriod: '1h' })));
      const won = results.filter((r) => r.status === 'fulfilled');
      expect(won).toHaveLength(1);
      for (const r of results) if (r.status === 'rejected') expect(isKeywardError(r.reason) && r.reason.code).toBe('conflict');
      const listed = await s.list({ workspaceId: 'ws_rot_race' });
      expect(listed.items).toHaveLength(2);
    });
  });
}
