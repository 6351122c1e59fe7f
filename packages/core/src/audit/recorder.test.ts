import { memoryStore } from '@keyward/store-memory';
import { describe, expect, it } from 'vitest';
import { createKeyward } from '../engine/keyward.js';
import { bearer, countingStore, tipar } from '../engine/test-support.js';

/** Every run of 8 characters of `secret`: none may be left in what the audit log keeps. */
function pieces(secret: string): string[] {
  return Array.from({ length: secret.length - 7 }, (_, i) => secret.slice(i, i + 8));
}

describe('the audit recorder and user agents', () => {
  it('scrubs keys before it clips: a key across the 512th character leaves nothing of its secret', async () => {
    const store = memoryStore();
    const keyward = createKeyward({ store, format: tipar, audit: true });
    const { key } = await keyward.create({ workspaceId: 'ws', name: 'k' });
    const secret = key.slice('tipar_live_'.length);
    // The key starts 30 characters before the clip, so that a clip first would keep most of it.
    for (const at of [482, 500, 505, 511]) {
      const userAgent = `${'x'.repeat(at - 1)} ${key} tail`;
      // An unknown key, on a route per workspace: one audit event each (no sampling together).
      await keyward.verify(bearer(tipar.generate().key), { request: { userAgent }, workspaceId: `ws_${at}` });
    }
    await keyward.flush();
    const kept = store.dumpAudit();
    expect(kept).toContain('verify.');
    for (const piece of pieces(secret)) expect(kept).not.toContain(piece);
    const events = JSON.parse(kept) as { userAgent: string | null }[];
    const agents = events.map((e) => e.userAgent).filter((ua): ua is string => ua !== null);
    expect(agents.length).toBeGreaterThanOrEqual(4);
    for (const ua of agents) expect(ua.length).toBeLessThanOrEqual(512);
  });

  it('redacts what looks like a key of a format even when its checksum fails', async () => {
    const store = memoryStore();
    const keyward = createKeyward({ store, format: tipar, audit: true });
    const real = tipar.generate().key;
    const mistyped = real.slice(0, 20) + (real[20] === 'a' ? 'b' : 'a') + real.slice(21);
    await keyward.verify(bearer(real), { request: { userAgent: `script/1.0 (key=${mistyped})` } });
    await keyward.flush();
    const kept = store.dumpAudit();
    expect(kept).toContain('script/1.0 (key=tipar_');
    for (const piece of pieces(mistyped.slice(11))) expect(kept).not.toContain(piece);
  });
});

describe('the audit events of a verify', () => {
  it('need no store read: the pipeline had the record, its hint and workspace come with the refusal', async () => {
    const { store, calls } = countingStore();
    let clock = Date.UTC(2026, 10, 22, 12);
    const keyward = createKeyward({
      store: new Proxy(store, { get: (t, p, r) => (p === 'local' ? false : Reflect.get(t, p, r)) }),
      format: tipar,
      now: () => clock,
      cache: false,
      audit: { flushInterval: '1h' },
      policies: { quota: { limit: 1, period: 'day' } },
    });
    const revoked = await keyward.create({ workspaceId: 'ws_a', name: 'revoked' });
    await keyward.revoke(revoked.record.id);
    const expiring = await keyward.create({ workspaceId: 'ws_a', name: 'expired', expiresAt: new Date(clock + 1000) });
    const metered = await keyward.create({ workspaceId: 'ws_a', name: 'metered', scopes: ['pdf:write'] });
    clock += 2000;
    await keyward.flush();
    calls.length = 0;
    const refusals = [
      await keyward.verify(bearer(revoked.key)),
      await keyward.verify(bearer(expiring.key)),
      await keyward.verify(bearer(metered.key), { scopes: ['admin'] }),
      await keyward.verify(bearer(metered.key), { workspaceId: 'ws_b' }),
      await keyward.verify(bearer(metered.key)),
      await keyward.verify(bearer(metered.key)),
    ];
    expect(refusals.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
      'invalid_key',
      'expired_key',
      'insufficient_scope',
      'invalid_key',
      'ok',
      'quota_exceeded',
    ]);
    const reads = () => calls.filter((c) => c.startsWith('find')).length;
    const verifyReads = reads();
    expect(verifyReads).toBe(6);
    await keyward.flush();
    // Only the verifies read keys: the recorder looked up nothing.
    expect(reads()).toBe(verifyReads);
    const page = await keyward.auditLog({
      workspaceId: 'ws_a',
      types: ['verify.revoked_key', 'verify.expired_key', 'verify.failed', 'verify.quota_exceeded'],
    });
    const hints = Object.fromEntries(page.items.map((e) => [`${e.type} ${e.reason ?? ''}`.trim(), e.keyHint]));
    expect(hints).toEqual({
      'verify.revoked_key revoked': revoked.key.slice(-4),
      'verify.expired_key': expiring.key.slice(-4),
      'verify.failed': metered.key.slice(-4),
      'verify.failed workspace_mismatch': metered.key.slice(-4),
      'verify.quota_exceeded': metered.key.slice(-4),
    });
  });
});
