import { memoryStore } from '@keyward/store-memory';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../audit/types.js';
import { createKeyward } from '../engine/keyward.js';
import { prefixedFormat } from '../format/prefixed.js';
import type { KeyStore } from '../store/types.js';
import { expiryThreshold } from './expiring.js';

const format = prefixedFormat({ prefix: 'kw' });
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** A key store without `listExpiring` (and without counters): the fallbacks. */
function plainStore(): KeyStore {
  const { listExpiring: _expiring, consumeCounters: _counters, ...keys } = memoryStore();
  return keys;
}

function setup(options: { store?: KeyStore; expiry?: Parameters<typeof createKeyward>[0]['expiry']; clock?: { t: number } } = {}) {
  const clock = options.clock ?? { t: Date.UTC(2026, 10, 1, 12) };
  const events: AuditEvent[] = [];
  const keyward = createKeyward({
    store: options.store ?? memoryStore(),
    format,
    now: () => clock.t,
    audit: { store: false, onEvent: (e) => events.push(e), flushInterval: '1h' },
    ...(options.expiry ? { expiry: options.expiry } : {}),
  });
  const expiring = async () => {
    // flush() waits for the claims that requests started, then writes the events.
    await keyward.flush();
    return events.filter((e) => e.type === 'key.expiring');
  };
  return { keyward, clock, events, expiring };
}

describe('expiryThreshold', () => {
  it('is the smallest threshold crossed, or null', () => {
    const t = [30 * DAY, 7 * DAY, DAY];
    const now = 0;
    expect(expiryThreshold(null, now, t)).toBeNull();
    expect(expiryThreshold(new Date(31 * DAY), now, t)).toBeNull();
    expect(expiryThreshold(new Date(30 * DAY), now, t)).toBe(30 * DAY);
    expect(expiryThreshold(new Date(7 * DAY + 1), now, t)).toBe(30 * DAY);
    expect(expiryThreshold(new Date(7 * DAY), now, t)).toBe(7 * DAY);
    expect(expiryThreshold(new Date(1), now, t)).toBe(DAY);
    expect(expiryThreshold(new Date(0), now, t)).toBeNull();
  });
});

describe('the expiry header', () => {
  it('is sent within the last threshold only, as an HTTP-date, next to the legacy headers', async () => {
    const { keyward, clock } = setup();
    const { key, record } = await keyward.create({ workspaceId: 'ws_1', name: 'k', expiresIn: '3d' });
    const forever = await keyward.create({ workspaceId: 'ws_1', name: 'forever' });
    const first = await keyward.verify(bearer(key));
    expect(first.ok && first.headers).toEqual({});
    clock.t += 2 * DAY;
    const last = await keyward.verify(bearer(key));
    expect(last.ok && last.headers).toEqual({ 'api-key-expires': record.expiresAt!.toUTCString() });
    expect(new Date(last.ok ? last.headers['api-key-expires']! : '').getTime()).toBe(Math.floor(record.expiresAt!.getTime() / 1000) * 1000);
    const other = await keyward.verify(bearer(forever.key));
    expect(other.ok && other.headers).toEqual({});
    const legacyKey = format.generate().key;
    await keyward.import({
      hash: keyward.hashers[0]!.hash(legacyKey),
      workspaceId: 'ws_1',
      name: 'legacy',
      hint: legacyKey.slice(-4),
      legacy: true,
      sunsetAt: new Date(clock.t + 30 * DAY),
      expiresAt: new Date(clock.t + HOUR),
    });
    const legacy = await keyward.verify(bearer(legacyKey));
    expect(legacy.ok && Object.keys(legacy.headers).sort()).toEqual(['api-key-expires', 'deprecation', 'sunset']);
  });

  it('follows the configured thresholds and name, and can be turned off', async () => {
    const a = setup({ expiry: { thresholds: ['12h', '2h'], header: 'Key-Expires-At' } });
    const k = await a.keyward.create({ workspaceId: 'ws_1', name: 'k', expiresIn: '3h' });
    const headers = async (kw: typeof a.keyward, key: string) => {
      const result = await kw.verify(bearer(key));
      return result.ok ? result.headers : result.error.code;
    };
    expect(await headers(a.keyward, k.key)).toEqual({});
    a.clock.t += 1.5 * HOUR;
    expect(await headers(a.keyward, k.key)).toEqual({ 'key-expires-at': k.record.expiresAt!.toUTCString() });
    const b = setup({ expiry: { header: false } });
    const j = await b.keyward.create({ workspaceId: 'ws_1', name: 'k', expiresIn: '1h' });
    expect(await headers(b.keyward, j.key)).toEqual({});
    expect(() => setup({ expiry: { header: 'bad name' } })).toThrow(RangeError);
    expect(() => setup({ expiry: { thresholds: [] } })).toThrow(RangeError);
    expect(() => setup({ expiry: { thresholds: ['0s'] } })).toThrow(RangeError);
  });
});

describe('key.expiring events', () => {
  it('fire once per key and threshold as requests use the key, the tightest threshold first seen', async () => {
    const { keyward, clock, expiring } = setup();
    const { key, record } = await keyward.create({ workspaceId: 'ws_1', name: 'k', expiresIn: '40d' });
    for (let i = 0; i < 3; i++) await keyward.verify(bearer(key));
    expect(await expiring()).toEqual([]);
    clock.t += 10 * DAY; // 30 days left
    for (let i = 0; i < 5; i++) await keyward.verify(bearer(key));
    expect((await expiring()).map((e) => e.details.threshold)).toEqual([30 * DAY]);
    clock.t += 29.5 * DAY; // 12 hours left: the 7-day threshold was never seen, only the 1-day one fires
    for (let i = 0; i < 5; i++) await keyward.verify(bearer(key));
    const events = await expiring();
    expect(events.map((e) => e.details.threshold)).toEqual([30 * DAY, DAY]);
    expect(events[1]).toMatchObject({
      keyId: record.id,
      keyHint: key.slice(-4),
      workspaceId: 'ws_1',
      details: { expiresAt: record.expiresAt!.toISOString(), remainingMs: 12 * HOUR },
    });
  });

  it('fire again when the expiry is moved, never for a rotated or revoked key', async () => {
    const { keyward, clock, expiring } = setup();
    const a = await keyward.create({ workspaceId: 'ws_1', name: 'a', expiresIn: '5d' });
    await keyward.verify(bearer(a.key));
    await keyward.update(a.record.id, { expiresAt: new Date(clock.t + 6 * DAY) });
    await keyward.verify(bearer(a.key));
    expect((await expiring()).map((e) => e.keyId)).toEqual([a.record.id, a.record.id]);
    const b = await keyward.create({ workspaceId: 'ws_1', name: 'b' });
    await keyward.rotate(b.record.id, { gracePeriod: '1d' });
    await keyward.verify(bearer(b.key));
    const c = await keyward.create({ workspaceId: 'ws_1', name: 'c', expiresIn: '1d' });
    await keyward.revoke(c.record.id);
    await keyward.verify(bearer(c.key));
    expect((await expiring()).map((e) => e.keyId)).toEqual([a.record.id, a.record.id]);
  });

  it('fire once across engines that share a counter store', async () => {
    const store = memoryStore();
    const clock = { t: Date.UTC(2026, 10, 1, 12) };
    const engines = [setup({ store, clock }), setup({ store, clock }), setup({ store, clock })];
    const { key } = await engines[0]!.keyward.create({ workspaceId: 'ws_1', name: 'k', expiresIn: '2d' });
    await Promise.all(engines.flatMap((e) => Array.from({ length: 4 }, () => e.keyward.verify(bearer(key)))));
    const seen = (await Promise.all(engines.map((e) => e.expiring()))).flat();
    expect(seen).toHaveLength(1);
  });

  it('without a counter store, fire once per process (documented)', async () => {
    const { keyward, expiring } = setup({ store: plainStore() });
    const { key } = await keyward.create({ workspaceId: 'ws_1', name: 'k', expiresIn: '2d' });
    for (let i = 0; i < 5; i++) await keyward.verify(bearer(key));
    expect(await expiring()).toHaveLength(1);
  });

  it('a failing claim is tried again on a later use', async () => {
    const inner = memoryStore();
    let down = true;
    const errors: unknown[] = [];
    const store = {
      ...inner,
      consumeCounters: (r: Parameters<typeof inner.consumeCounters>[0]) => (down ? Promise.reject(new Error('down')) : inner.consumeCounters(r)),
    };
    const events: AuditEvent[] = [];
    const keyward = createKeyward({ store, format, audit: { store: false, onEvent: (e) => events.push(e), onError: (e) => errors.push(e) } });
    const { key } = await keyward.create({ workspaceId: 'ws_1', name: 'k', expiresIn: '2d' });
    expect((await keyward.verify(bearer(key))).ok).toBe(true);
    await keyward.flush();
    expect(errors).toHaveLength(1);
    down = false;
    await keyward.verify(bearer(key));
    await keyward.flush();
    expect(events.filter((e) => e.type === 'key.expiring')).toHaveLength(1);
  });

  it('sweepExpiring warns about the keys no request uses, once; it needs the audit log', async () => {
    const { keyward, expiring } = setup();
    const ids = [];
    for (const [name, expiresIn] of [
      ['a', '20d'],
      ['b', '3d'],
      ['c', '12h'],
      ['d', '45d'],
    ] as const)
      ids.push((await keyward.create({ workspaceId: name === 'b' ? 'ws_2' : 'ws_1', name, expiresIn })).record.id);
    await keyward.create({ workspaceId: 'ws_1', name: 'never' });
    expect(await keyward.sweepExpiring()).toEqual({ keys: 3, warned: 3 });
    expect(await keyward.sweepExpiring()).toEqual({ keys: 3, warned: 0 });
    const events = await expiring();
    expect(events.map((e) => [e.keyId, e.details.threshold])).toEqual([
      [ids[2], DAY],
      [ids[1], 7 * DAY],
      [ids[0], 30 * DAY],
    ]);
    expect(() => createKeyward({ store: memoryStore() }).sweepExpiring()).toThrow(TypeError);
  });
});

describe('keyward.expiring', () => {
  it('lists keys of a workspace soonest first, page by page, with the store index or without it', async () => {
    for (const store of [memoryStore(), plainStore()]) {
      const { keyward } = setup({ store });
      const made = [];
      for (const d of [5, 1, 3, 12]) made.push(await keyward.create({ workspaceId: 'ws_1', name: `k${d}`, expiresIn: `${d}d` }));
      await keyward.create({ workspaceId: 'ws_2', name: 'other', expiresIn: '1d' });
      await keyward.create({ workspaceId: 'ws_1', name: 'never' });
      const first = await keyward.expiring({ within: '7d', workspaceId: 'ws_1', limit: 2 });
      expect(first.items.map((k) => k.name)).toEqual(['k1', 'k3']);
      expect(first.items[0]).not.toHaveProperty('hash');
      const second = await keyward.expiring({ within: '7d', workspaceId: 'ws_1', limit: 2, cursor: first.nextCursor! });
      expect(second.items.map((k) => k.name)).toEqual(['k5']);
      expect(second.nextCursor).toBeNull();
      expect(keyward.expiresSoon(made[3]!.record)).toBe(true);
      expect(keyward.expiresSoon({ expiresAt: null, revokedAt: null })).toBe(false);
    }
  });

  it('lists every workspace with a store that has listExpiring, and says why not without one', async () => {
    const { keyward } = setup();
    await keyward.create({ workspaceId: 'ws_1', name: 'a', expiresIn: '2d' });
    await keyward.create({ workspaceId: 'ws_2', name: 'b', expiresIn: '1d' });
    expect((await keyward.expiring({ within: '30d' })).items.map((k) => k.name)).toEqual(['b', 'a']);
    await expect(setup({ store: plainStore() }).keyward.expiring({ within: '30d' })).rejects.toThrow(TypeError);
  });

  it('refuses bad queries with invalid_argument', async () => {
    const { keyward } = setup();
    for (const query of [
      { within: '0s' },
      { within: '500d' },
      { within: 'soon' },
      { within: '1d', limit: 0 },
      { within: '1d', workspaceId: 'a b' },
      { within: '1d', cursor: '' },
    ]) {
      await expect(keyward.expiring(query as never)).rejects.toMatchObject({ code: 'invalid_argument' });
    }
    await expect(keyward.expiring({ within: '1d', cursor: 'garbage' })).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});
