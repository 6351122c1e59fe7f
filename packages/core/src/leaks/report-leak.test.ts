import { memoryStore } from '@keyward/store-memory';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../audit/types.js';
import { createKeyward } from '../engine/keyward.js';
import { idSecretFormat } from '../format/id-secret.js';
import { prefixedFormat } from '../format/prefixed.js';
import type { KeyStore } from '../store/types.js';
import type { Leak } from './types.js';

const format = prefixedFormat({ prefix: 'kw' });
const where = { url: 'https://github.com/octo/repo/blob/abc/config.js', source: 'content', type: 'kw_api_key' };

function setup(extra: Partial<Parameters<typeof createKeyward>[0]> = {}) {
  let clock = Date.UTC(2026, 10, 1, 12);
  const events: AuditEvent[] = [];
  const store = memoryStore();
  const keyward = createKeyward({
    store,
    format: [format, idSecretFormat()],
    now: () => clock,
    audit: { store: false, onEvent: (e) => events.push(e), flushInterval: '1h' },
    ...extra,
  });
  return {
    keyward,
    store,
    events,
    tick: (ms: number) => {
      clock += ms;
    },
    now: () => clock,
  };
}

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

describe('keyward.inspect', () => {
  it('tells malformed, unknown, active, revoked and expired tokens apart, for both formats', async () => {
    const { keyward, tick } = setup();
    const live = await keyward.create({ workspaceId: 'ws_1', name: 'live' });
    const tiro = await keyward.create({ workspaceId: 'ws_1', name: 'tiro', format: 'id-secret' });
    const revoked = await keyward.create({ workspaceId: 'ws_1', name: 'revoked' });
    const short = await keyward.create({ workspaceId: 'ws_1', name: 'short', expiresIn: '1h' });
    await keyward.revoke(revoked.record.id);
    tick(3_600_000);
    expect(await keyward.inspect(live.key)).toMatchObject({ status: 'active', format: 'kw', key: { id: live.record.id } });
    expect(await keyward.inspect(tiro.key)).toMatchObject({ status: 'active', format: 'id-secret', key: { id: tiro.record.id } });
    expect(await keyward.inspect(revoked.key)).toMatchObject({ status: 'revoked' });
    expect(await keyward.inspect(short.key)).toMatchObject({ status: 'expired' });
    expect(await keyward.inspect(format.generate().key)).toEqual({ status: 'unknown', key: null, format: 'kw' });
    expect(await keyward.inspect(`${tiro.record.id}.${'A'.repeat(32)}`)).toMatchObject({ status: 'unknown' });
    const typo = live.key.slice(0, -1) + (live.key.endsWith('A') ? 'B' : 'A');
    expect(await keyward.inspect(typo)).toEqual({ status: 'malformed', key: null, format: 'kw' });
    expect(await keyward.inspect('')).toMatchObject({ status: 'malformed' });
    expect((await keyward.inspect(live.key)).key).not.toHaveProperty('hash');
  });

  it('is no verify: no usage, no audit event, and it reads the store, not the cache', async () => {
    const { keyward, events } = setup({ usage: true });
    const { key, record } = await keyward.create({ workspaceId: 'ws_1', name: 'k' });
    await keyward.flush();
    events.length = 0;
    await keyward.inspect(key);
    await keyward.inspect(format.generate().key);
    await keyward.flush();
    expect(events).toEqual([]);
    expect((await keyward.usage({ keyId: record.id, from: '2026-11-01', to: '2026-11-01' })).total).toBe(0);
  });

  it('fails with store_unavailable when the store fails', async () => {
    const inner = memoryStore();
    const failing: KeyStore = { ...inner, local: false, findByHash: () => Promise.reject(new Error('down')) };
    const keyward = createKeyward({ store: failing, format });
    await expect(keyward.inspect(format.generate().key)).rejects.toMatchObject({ code: 'store_unavailable' });
  });
});

describe('keyward.reportLeak', () => {
  it('revokes an active key by default, records key.leaked and tells onLeak once', async () => {
    const { keyward, events } = setup();
    const { key, record } = await keyward.create({ workspaceId: 'ws_1', name: 'ci' });
    const leaks: Leak[] = [];
    const outcome = await keyward.reportLeak({ token: key, ...where }, { onLeak: (l) => void leaks.push(l) });
    expect(outcome).toMatchObject({ status: 'known', action: 'revoked', wasActive: true, first: true, key: { id: record.id } });
    expect((await keyward.verify(bearer(key))).ok).toBe(false);
    expect(leaks).toHaveLength(1);
    expect(leaks[0]).toMatchObject({ action: 'revoked', policy: 'revoke', wasActive: true, location: where, key: { id: record.id } });
    expect(leaks[0]!.key.revokedAt).not.toBeNull();
    await keyward.flush();
    const leaked = events.filter((e) => e.type === 'key.leaked');
    expect(leaked).toHaveLength(1);
    expect(leaked[0]).toMatchObject({
      keyId: record.id,
      workspaceId: 'ws_1',
      keyHint: key.slice(-4),
      details: { ...{ url: where.url }, action: 'revoked' },
    });
    expect(events.filter((e) => e.type === 'key.revoked')).toMatchObject([{ actor: 'leak-report' }]);
    expect(JSON.stringify([events, leaks])).not.toContain(key);
  });

  it('is idempotent: the same report again changes nothing, records nothing and tells no one', async () => {
    const { keyward, events } = setup();
    const { key } = await keyward.create({ workspaceId: 'ws_1', name: 'ci' });
    let told = 0;
    const options = { onLeak: () => void told++ };
    await keyward.reportLeak({ token: key, ...where }, options);
    await keyward.flush();
    const before = events.length;
    const again = await keyward.reportLeak({ token: key, ...where }, options);
    const third = await keyward.reportLeak({ token: key, ...where }, { ...options, policy: 'rotate-with-grace' });
    await keyward.flush();
    expect(again).toMatchObject({ status: 'known', action: 'none', wasActive: false, first: false });
    expect(third).toMatchObject({ action: 'none', first: false });
    expect(events.length).toBe(before);
    expect(told).toBe(1);
    // Another place is another report: told, and recorded, but the key is revoked already.
    const elsewhere = await keyward.reportLeak({ token: key, ...where, url: 'https://github.com/octo/other/blob/x/y' }, options);
    expect(elsewhere).toMatchObject({ action: 'none', first: true, wasActive: false });
    expect(told).toBe(2);
  });

  it('holds "once" across engines that share a counter store (two instances, one report each)', async () => {
    const store = memoryStore();
    const a = createKeyward({ store, format });
    const b = createKeyward({ store, format });
    const { key } = await a.create({ workspaceId: 'ws_1', name: 'ci' });
    let told = 0;
    const results = await Promise.all([a, b, a, b].map((k) => k.reportLeak({ token: key, ...where }, { onLeak: () => void told++ })));
    expect(results.filter((r) => r.status === 'known' && r.first)).toHaveLength(1);
    expect(told).toBe(1);
  });

  it('answers unknown for every token it did not issue, with nothing to tell a near miss from noise', async () => {
    const { keyward, events } = setup();
    const { key } = await keyward.create({ workspaceId: 'ws_1', name: 'ci' });
    let told = 0;
    const typo = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    const tokens = [typo, format.generate().key, 'kw_live_short', 'nothing at all', `x${key}`, key.slice(0, -1)];
    const outcomes = await Promise.all(tokens.map((token) => keyward.reportLeak({ token, ...where }, { onLeak: () => void told++ })));
    for (const outcome of outcomes) expect(outcome).toStrictEqual({ status: 'unknown' });
    await keyward.flush();
    expect(told).toBe(0);
    expect(events.filter((e) => e.type === 'key.leaked')).toEqual([]);
    expect((await keyward.verify(bearer(key))).ok).toBe(true);
  });

  it('rotate-with-grace: a successor for onLeak, the leaked key works for the grace period, then not', async () => {
    const { keyward, tick } = setup();
    const old = await keyward.create({ workspaceId: 'ws_1', name: 'ci', scopes: ['notes:read'] });
    const leaks: Leak[] = [];
    const outcome = await keyward.reportLeak(
      { token: old.key, ...where },
      { policy: 'rotate-with-grace', gracePeriod: '2h', onLeak: (l) => void leaks.push(l) },
    );
    expect(outcome).toMatchObject({ status: 'known', action: 'rotated', first: true });
    const successor = leaks[0]!.successor!;
    expect(successor.record).toMatchObject({ workspaceId: 'ws_1', name: 'ci', scopes: ['notes:read'] });
    expect(leaks[0]!.stopsAt!.getTime()).toBe(leaks[0]!.key.expiresAt!.getTime());
    expect((await keyward.verify(bearer(old.key))).ok).toBe(true);
    expect((await keyward.verify(bearer(successor.key))).ok).toBe(true);
    tick(2 * 3_600_000);
    expect((await keyward.verify(bearer(old.key))).ok).toBe(false);
    expect((await keyward.verify(bearer(successor.key))).ok).toBe(true);
  });

  it('rotate-with-grace on a key rotated already: its grace is cut to the leak grace, its successor stays', async () => {
    const { keyward, now } = setup();
    const old = await keyward.create({ workspaceId: 'ws_1', name: 'ci' });
    const rotated = await keyward.rotate(old.record.id, { gracePeriod: '7d' });
    const outcome = await keyward.reportLeak({ token: old.key, ...where }, { policy: 'rotate-with-grace', gracePeriod: '1h' });
    expect(outcome).toMatchObject({ action: 'grace-shortened', first: true });
    expect((await keyward.get(old.record.id))!.expiresAt!.getTime()).toBe(now() + 3_600_000);
    expect((await keyward.get(old.record.id))!.rotatedToId).toBe(rotated.record.id);
    expect((await keyward.verify(bearer(rotated.key))).ok).toBe(true);
  });

  it('rotate-with-grace revokes a legacy key (legacy keys can only be revoked); notify-only changes nothing', async () => {
    const { keyward } = setup();
    const legacyKey = format.generate().key;
    const legacy = await keyward.import({
      hash: keyward.hashers[0]!.hash(legacyKey),
      workspaceId: 'ws_1',
      name: 'legacy',
      hint: legacyKey.slice(-4),
      legacy: true,
    });
    expect(await keyward.reportLeak({ token: legacyKey, ...where }, { policy: 'rotate-with-grace' })).toMatchObject({ action: 'revoked' });
    expect((await keyward.get(legacy.id))!.revokedAt).not.toBeNull();
    const { key } = await keyward.create({ workspaceId: 'ws_1', name: 'ci' });
    const leaks: Leak[] = [];
    expect(await keyward.reportLeak({ token: key, ...where }, { policy: 'notify-only', onLeak: (l) => void leaks.push(l) })).toMatchObject({
      action: 'none',
      wasActive: true,
      first: true,
    });
    expect(leaks[0]).toMatchObject({ policy: 'notify-only', action: 'none', wasActive: true });
    expect((await keyward.verify(bearer(key))).ok).toBe(true);
  });

  it('takes the policy from a function of the key, and refuses a policy it does not know', async () => {
    const { keyward } = setup();
    const prod = await keyward.create({ workspaceId: 'ws_prod', name: 'p' });
    const dev = await keyward.create({ workspaceId: 'ws_dev', name: 'd' });
    const policy = (k: { workspaceId: string | null }) => (k.workspaceId === 'ws_prod' ? ('notify-only' as const) : ('revoke' as const));
    expect(await keyward.reportLeak({ token: prod.key }, { policy })).toMatchObject({ action: 'none' });
    expect(await keyward.reportLeak({ token: dev.key }, { policy })).toMatchObject({ action: 'revoked' });
    const other = await keyward.create({ workspaceId: 'ws_dev', name: 'x' });
    await expect(keyward.reportLeak({ token: other.key }, { policy: 'delete' as never })).rejects.toThrow(RangeError);
    expect((await keyward.verify(bearer(other.key))).ok).toBe(true);
  });

  it('a throwing onLeak goes to onError, and the report still counts as handled', async () => {
    const { keyward } = setup();
    const { key } = await keyward.create({ workspaceId: 'ws_1', name: 'ci' });
    const errors: unknown[] = [];
    const outcome = await keyward.reportLeak(
      { token: key, ...where },
      {
        onLeak: () => {
          throw new Error('smtp down');
        },
        onError: (e) => errors.push(e),
      },
    );
    expect(outcome).toMatchObject({ action: 'revoked', first: true });
    expect(errors).toHaveLength(1);
  });

  it('when the store fails before the claim, the report throws, and a retry does it all', async () => {
    const inner = memoryStore();
    let down = false;
    const flaky: KeyStore & { consumeCounters: typeof inner.consumeCounters } = {
      ...inner,
      update: (id, patch) => (down ? Promise.reject(new Error('down')) : inner.update(id, patch)),
      consumeCounters: (r) => inner.consumeCounters(r),
    };
    const keyward = createKeyward({ store: flaky, format });
    const { key } = await keyward.create({ workspaceId: 'ws_1', name: 'ci' });
    let told = 0;
    down = true;
    await expect(keyward.reportLeak({ token: key, ...where }, { onLeak: () => void told++ })).rejects.toMatchObject({ code: 'store_unavailable' });
    expect(told).toBe(0);
    down = false;
    expect(await keyward.reportLeak({ token: key, ...where }, { onLeak: () => void told++ })).toMatchObject({ action: 'revoked', first: true });
    expect(told).toBe(1);
  });

  it('redacts a key found in the URL before it is recorded', async () => {
    const { keyward, events } = setup();
    const { key } = await keyward.create({ workspaceId: 'ws_1', name: 'ci' });
    const other = await keyward.create({ workspaceId: 'ws_1', name: 'other' });
    await keyward.reportLeak({ token: key, url: `https://example.com/?k=${other.key}`, source: 'content' });
    await keyward.flush();
    const text = JSON.stringify(events);
    expect(text).not.toContain(other.key);
    expect(text).toContain(`k=kw_live_…${other.key.slice(-4)}`);
  });
});
