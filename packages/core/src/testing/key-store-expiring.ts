import { describe, expect, it } from 'vitest';
import type { KeyStore } from '../store/types.js';
import { sampleStoredKey } from './fixtures.js';
import { expectCode } from './suite-helpers.js';

/**
 * The optional part of the key store contract: `listExpiring` (keys that expire soon, from an
 * index), skipped for a store without it. Run by `describeKeyStore`.
 */
export function describeListExpiring(fresh: () => Promise<KeyStore>): void {
  describe('listExpiring (optional)', () => {
    const day = 86_400_000;
    // Far from every other test's dates, so that a store shared by tests still answers exactly.
    const base = Date.UTC(2031, 2, 1);
    const window = { after: new Date(base), before: new Date(base + 10 * day) };
    const at = (days: number) => new Date(base + days * day);
    const supported = async () => {
      const s = await fresh();
      return typeof s.listExpiring === 'function' ? s : null;
    };

    it('lists live keys expiring in (after, before], soonest first, then by id, page by page', async (ctx) => {
      const s = await supported();
      if (s === null) return ctx.skip();
      const ws = `ws_exp_${Math.random().toString(36).slice(2)}`;
      const inside = [
        sampleStoredKey({ workspaceId: ws, expiresAt: at(3) }),
        sampleStoredKey({ workspaceId: ws, expiresAt: at(1) }),
        sampleStoredKey({ workspaceId: ws, id: 'key_exp_same_a', expiresAt: at(5) }),
        sampleStoredKey({ workspaceId: ws, id: 'key_exp_same_b', expiresAt: at(5) }),
        sampleStoredKey({ workspaceId: ws, expiresAt: at(10) }), // `before` itself is inside
      ];
      const outside = [
        sampleStoredKey({ workspaceId: ws, expiresAt: at(0) }), // `after` itself is outside
        sampleStoredKey({ workspaceId: ws, expiresAt: at(11) }),
        sampleStoredKey({ workspaceId: ws, expiresAt: null }),
        sampleStoredKey({ workspaceId: ws, expiresAt: at(2), revokedAt: at(-1) }),
        sampleStoredKey({ workspaceId: ws, expiresAt: at(2), rotatedToId: 'key_successor' }),
        sampleStoredKey({ workspaceId: `${ws}_other`, expiresAt: at(2) }),
      ];
      for (const k of [...outside, ...inside]) await s.insert(k);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await s.listExpiring!({ ...window, workspaceId: ws, limit: 2, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(2);
        for (const k of page.items) expect(k).toEqual(inside.find((i) => i.id === k.id));
        seen.push(...page.items.map((k) => k.id));
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor && pages < 10);
      const expected = [...inside].sort((a, b) => a.expiresAt!.getTime() - b.expiresAt!.getTime() || (a.id < b.id ? -1 : 1)).map((k) => k.id);
      expect(seen).toEqual(expected);
      expect(pages).toBe(3);
    });

    it('lists every workspace and owner without a workspaceId', async (ctx) => {
      const s = await supported();
      if (s === null) return ctx.skip();
      const keys = [
        sampleStoredKey({ workspaceId: 'ws_exp_a', expiresAt: at(4) }),
        sampleStoredKey({ workspaceId: 'ws_exp_b', expiresAt: at(2) }),
        sampleStoredKey({ workspaceId: null, ownerId: 'owner_exp', legacy: true, expiresAt: at(3) }),
      ];
      for (const k of keys) await s.insert(k);
      await s.insert(sampleStoredKey({ workspaceId: 'ws_exp_c', expiresAt: at(20) }));
      const page = await s.listExpiring!({ ...window, limit: 100 });
      expect(page.items.map((k) => k.id)).toEqual([keys[1]!.id, keys[2]!.id, keys[0]!.id]);
      expect(page.nextCursor).toBeNull();
    });

    it('follows changes: a new expiry, a revocation, a rotation, a deletion', async (ctx) => {
      const s = await supported();
      if (s === null) return ctx.skip();
      const ws = `ws_exp_chg_${Math.random().toString(36).slice(2)}`;
      const ids = async () => (await s.listExpiring!({ ...window, workspaceId: ws, limit: 100 })).items.map((k) => k.id);
      const a = sampleStoredKey({ workspaceId: ws, expiresAt: null });
      const b = sampleStoredKey({ workspaceId: ws, expiresAt: at(6) });
      const c = sampleStoredKey({ workspaceId: ws, expiresAt: at(7) });
      const d = sampleStoredKey({ workspaceId: ws, expiresAt: at(8) });
      for (const k of [a, b, c, d]) await s.insert(k);
      expect(await ids()).toEqual([b.id, c.id, d.id]);
      await s.update(a.id, { expiresAt: at(1), updatedAt: new Date() });
      await s.update(b.id, { expiresAt: at(30), updatedAt: new Date() });
      await s.update(c.id, { revokedAt: new Date(), updatedAt: new Date() });
      expect(await ids()).toEqual([a.id, d.id]);
      const successor = sampleStoredKey({ workspaceId: ws, ownerId: d.ownerId, expiresAt: at(9) });
      await s.rotate({ oldId: d.id, successor, revokeOld: false, now: new Date(), oldExpiresAt: at(2) });
      expect(await ids()).toEqual([a.id, successor.id]);
      await s.delete(a.id);
      expect(await ids()).toEqual([successor.id]);
    });

    it('refuses a cursor that is not its own', async (ctx) => {
      const s = await supported();
      if (s === null) return ctx.skip();
      await expectCode(s.listExpiring!({ ...window, limit: 10, cursor: 'not a cursor' }), 'invalid_argument');
    });
  });
}
