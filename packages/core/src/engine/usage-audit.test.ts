import { describe, expect, it } from 'vitest';
import { memoryStore } from '@keyward/store-memory';
import type { AuditEvent, AuditStore } from '../audit/types.js';
import { prefixedFormat } from '../format/prefixed.js';
import type { KeyStore } from '../store/types.js';
import type { UsageStore } from '../usage/types.js';
import { UsageTracker } from '../usage/tracker.js';
import { createKeyward } from './keyward.js';

const format = prefixedFormat({ prefix: 'kw' });

/** A key store with nothing but keys (no usage or audit methods). */
function keysOnly(): KeyStore {
  const store = memoryStore();
  return {
    local: true,
    insert: (k) => store.insert(k),
    findById: (id) => store.findById(id),
    findByHash: (h) => store.findByHash(h),
    list: (q) => store.list(q),
    update: (id, p) => store.update(id, p),
    delete: (id) => store.delete(id),
    rotate: (i) => store.rotate(i),
  };
}

describe('usage and audit options', () => {
  it('refuses a usage or audit store that does not implement the contract', () => {
    expect(() => createKeyward({ store: keysOnly(), usage: true })).toThrow(TypeError);
    expect(() => createKeyward({ store: keysOnly(), audit: true })).toThrow(TypeError);
    expect(() => createKeyward({ store: keysOnly(), audit: { store: false } })).not.toThrow();
    expect(() => createKeyward({ store: memoryStore(), usage: { lastUsedInterval: '1x' as never } })).toThrow(RangeError);
    expect(() => createKeyward({ store: memoryStore(), audit: { maxBuffer: 0 } })).toThrow(RangeError);
  });

  it('does no usage or audit work when both are off', async () => {
    const store = memoryStore();
    let calls = 0;
    for (const m of ['addUsage', 'touchKeys', 'appendAudit'] as const) {
      const original = store[m] as (...args: unknown[]) => Promise<void>;
      (store as unknown as Record<string, unknown>)[m] = (...args: unknown[]) => {
        calls++;
        return original(...args);
      };
    }
    const keyward = createKeyward({ store, format });
    const { key, record } = await keyward.create({ workspaceId: 'ws_off', name: 'off' });
    for (let i = 0; i < 50; i++) await keyward.verify({ authorization: `Bearer ${key}` });
    await keyward.verify({ authorization: 'Bearer nope' });
    await keyward.revoke(record.id);
    await keyward.flush();
    await keyward.close();
    expect(calls).toBe(0);
    expect((await keyward.get(record.id))!.lastUsedAt).toBeNull();
    // Reading works without tracking, from the key store.
    expect((await keyward.usage({ keyId: record.id, from: '2026-01-01', to: '2026-01-02' })).total).toBe(0);
    expect((await keyward.auditLog({ workspaceId: 'ws_off' })).items).toEqual([]);
    await expect(createKeyward({ store: keysOnly() }).usage({ keyId: 'k', from: '2026-01-01', to: '2026-01-01' })).rejects.toThrow(TypeError);
  });

  it('validates usage and audit queries', async () => {
    const keyward = createKeyward({ store: memoryStore() });
    const bad = [
      { from: '2026-01-01', to: '2026-01-02' },
      { keyId: 'a', workspaceId: 'b', from: '2026-01-01', to: '2026-01-02' },
      { keyId: 'a', from: '2026-02-30', to: '2026-03-01' },
      { keyId: 'a', from: '2026-03-02', to: '2026-03-01' },
      { keyId: 'a', from: '2025-01-01', to: '2026-03-01' },
      { workspaceId: 'bad workspace', from: '2026-01-01', to: '2026-01-01' },
    ];
    for (const query of bad) await expect(keyward.usage(query as never)).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(keyward.auditLog({} as never)).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(keyward.auditLog({ workspaceId: 'w', limit: 0 })).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(keyward.auditLog({ workspaceId: 'w', from: 'yesterday' })).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(keyward.auditLog({ workspaceId: 'w', cursor: 'x' })).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});

describe('audit log from verify', () => {
  it('maps a quota refusal to verify.quota_exceeded, with the key', async () => {
    const store = memoryStore();
    const keyward = createKeyward({ store, format, audit: { flushInterval: '1h' }, policies: { quota: { limit: 1, period: 'day' } } });
    const { key, record } = await keyward.create({ workspaceId: 'ws_q', name: 'q' });
    const request = { ip: '192.0.2.1' };
    expect((await keyward.verify({ authorization: `Bearer ${key}` }, { request })).ok).toBe(true);
    expect((await keyward.verify({ authorization: `Bearer ${key}` }, { request })).ok).toBe(false);
    await keyward.close();
    const page = await keyward.auditLog({ workspaceId: 'ws_q' });
    expect(page.items.find((e) => e.type === 'verify.quota_exceeded')).toMatchObject({
      keyId: record.id,
      keyHint: key.slice(-4),
      code: 'quota_exceeded',
      ip: '192.0.2.1',
    });
  });

  it('never fails or slows a verify when the audit store fails, and reports to onError', async () => {
    const store = memoryStore();
    const errors: unknown[] = [];
    let attempts = 0;
    const failing: AuditStore = {
      appendAudit: async () => {
        attempts++;
        throw new Error('audit store down');
      },
      readAudit: () => store.readAudit({ workspaceId: null, limit: 1 }),
    };
    const keyward = createKeyward({ store, format, audit: { store: failing, flushInterval: 20, onError: (e) => errors.push(e) } });
    const { key } = await keyward.create({ workspaceId: 'ws_fail', name: 'f' });
    for (let i = 0; i < 20; i++) {
      expect((await keyward.verify({ authorization: `Bearer ${key}` })).ok).toBe(true);
      expect((await keyward.verify({ authorization: `Bearer ${format.generate().key}` })).ok).toBe(false);
    }
    await new Promise((resolve) => setTimeout(resolve, 80));
    await keyward.close();
    expect(attempts).toBeGreaterThanOrEqual(2);
    expect(errors.length).toBeGreaterThanOrEqual(2);
    expect(String(errors[0])).toMatch(/audit store down/);
  });

  it('bounds its buffer while the store is down, and calls onEvent once per event even when writes are retried', async () => {
    const store = memoryStore();
    let up = false;
    const seen: AuditEvent[] = [];
    const errors: unknown[] = [];
    const flaky: AuditStore = {
      appendAudit: async (events) => {
        if (!up) throw new Error('down');
        await store.appendAudit(events);
      },
      readAudit: (range) => store.readAudit(range),
    };
    const keyward = createKeyward({
      store,
      format,
      audit: { store: flaky, flushInterval: '1h', maxBuffer: 50, onEvent: (e) => seen.push(e), onError: (e) => errors.push(e) },
    });
    for (let i = 0; i < 120; i++) await keyward.create({ workspaceId: 'ws_buf', name: `k${i}` });
    await keyward.flush();
    expect(seen).toHaveLength(50);
    expect(errors.some((e) => /70 events dropped/.test(String(e)))).toBe(true);
    up = true;
    await keyward.flush();
    expect(seen).toHaveLength(50);
    const page = await keyward.auditLog({ workspaceId: 'ws_buf', limit: 1000 });
    expect(page.items).toHaveLength(50);
    await keyward.close();
  });

  it('keeps a bounded number of sample buckets under a flood over many workspaces', async () => {
    const store = memoryStore({ maxAuditEvents: 100_000 });
    let clock = Date.UTC(2026, 0, 1);
    const keyward = createKeyward({ store, format, now: () => clock, audit: { flushInterval: '1h', sampleWindow: '1m' } });
    const unknown = format.generate().key;
    for (let i = 0; i < 12_000; i++) await keyward.verify({ authorization: `Bearer ${unknown}` }, { workspaceId: `ws_${i}` });
    clock += 61_000;
    await keyward.close();
    // 10,000 buckets at most: the rest fold into one overflow bucket (no workspace).
    expect(store.auditSize).toBeLessThanOrEqual(10_002);
    const overflow = await keyward.auditLog({ workspaceId: null, limit: 10 });
    expect(overflow.items.reduce((n, e) => n + e.count, 0)).toBe(2000);
    expect(overflow.items[0]!.details).toMatchObject({ overflow: true });
  });

  it('a throwing onEvent or onError does not break verify or the writes', async () => {
    const store = memoryStore();
    const keyward = createKeyward({
      store,
      format,
      audit: {
        flushInterval: '1h',
        onEvent: () => {
          throw new Error('exporter broken');
        },
        onError: () => {
          throw new Error('logger broken');
        },
      },
    });
    await keyward.create({ workspaceId: 'ws_throw', name: 't' });
    expect((await keyward.verify({ authorization: 'Bearer kw_bad' }, { workspaceId: 'ws_throw' })).ok).toBe(false);
    await keyward.close();
    expect((await keyward.auditLog({ workspaceId: 'ws_throw' })).items.map((e) => e.type).sort()).toEqual(['key.created', 'verify.failed']);
  });
});

describe('usage from verify', () => {
  it('keeps counts of a failed write and adds them with the next flush', async () => {
    const store = memoryStore();
    let fail = true;
    const errors: unknown[] = [];
    const flaky: UsageStore = {
      addUsage: async (rows) => {
        if (fail) throw new Error('down');
        await store.addUsage(rows);
      },
      touchKeys: (t) => store.touchKeys(t),
      readUsage: (r) => store.readUsage(r),
    };
    const keyward = createKeyward({ store, format, usage: { store: flaky, flushInterval: '1h', onError: (e) => errors.push(e) } });
    const { key, record } = await keyward.create({ workspaceId: 'ws_retry', name: 'r' });
    for (let i = 0; i < 7; i++) await keyward.verify({ authorization: `Bearer ${key}` });
    await keyward.flush();
    expect(errors).toHaveLength(1);
    for (let i = 0; i < 5; i++) await keyward.verify({ authorization: `Bearer ${key}` });
    fail = false;
    await keyward.close();
    const today = new Date().toISOString().slice(0, 10);
    expect((await keyward.usage({ keyId: record.id, from: today, to: today })).total).toBe(12);
  });

  it('does not count a dry run', async () => {
    const store = memoryStore();
    const keyward = createKeyward({ store, format, usage: { flushInterval: '1h' } });
    const { key, record } = await keyward.create({ workspaceId: 'ws_dry', name: 'd' });
    await keyward.verify({ authorization: `Bearer ${key}` }, { dryRun: true } as never);
    await keyward.verify({ authorization: `Bearer ${key}` });
    await keyward.close();
    const today = new Date().toISOString().slice(0, 10);
    expect((await keyward.usage({ keyId: record.id, from: today, to: today })).total).toBe(1);
  });
});

describe('usage tracker', () => {
  it('writes early, in one queued flush, when 10,000 keys are pending', async () => {
    const batches: number[] = [];
    const tracker = new UsageTracker(
      { addUsage: async (rows) => void batches.push(rows.length), touchKeys: async () => undefined, readUsage: async () => [] },
      { flushInterval: '1h', lastUsedInterval: '1h' },
    );
    const now = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 10_500; i++) tracker.record(`key_${i}`, 'ws', now);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(batches).toEqual([1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 500]);
    await tracker.close();
  });
});
