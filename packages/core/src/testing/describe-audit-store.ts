import { afterAll, describe, expect, it } from 'vitest';
import { AUDIT_EVENT_TYPES } from '../audit/filters.js';
import type { AuditEvent, AuditEventType, AuditStore } from '../audit/types.js';
import type { KeyStore } from '../store/types.js';
import { describeAuditThroughEngine } from './audit-store-engine.js';
import type { SuiteEngineOptions } from './engine-options.js';
import { expectCode, unique } from './suite-helpers.js';

/** How to run the audit contract against one store (a key store that is also an audit store). */
export interface AuditStoreSuiteOptions<S extends KeyStore & AuditStore = KeyStore & AuditStore> {
  /** Shown in the test names. */
  name: string;
  /** Returns a store whose data no other test sees. */
  createStore: () => Promise<S> | S;
  /**
   * The audit events exactly as the store keeps them (raw rows, stream entries, JSON): the suite
   * checks that no key, secret or hash appears in them.
   */
  dumpRaw: (store: S) => Promise<string> | string;
  /** Closes what `createStore` opened. */
  closeStore?: (store: S) => Promise<void> | void;
  /** Added to every engine the suite makes: a logger, instruments. */
  keyward?: SuiteEngineOptions;
}

const ALL_TYPES = AUDIT_EVENT_TYPES;

function event(overrides: Partial<AuditEvent> & Pick<AuditEvent, 'time' | 'workspaceId'>): AuditEvent {
  return {
    id: `evt_${Math.random().toString(36).slice(2, 12)}`,
    type: 'key.created',
    keyId: 'key_1',
    keyHint: 'a1B2',
    actor: null,
    code: null,
    reason: null,
    ip: null,
    userAgent: null,
    count: 1,
    details: {},
    ...overrides,
  };
}

/**
 * The contract of an `AuditStore`: every field round-trips, reads are per workspace, newest first,
 * by time range and cursor; the engine stores every event type with key id and hint, never a key
 * or a hash; a flood of failed verifies is sampled into a few entries.
 */
export function describeAuditStore<S extends KeyStore & AuditStore>(options: AuditStoreSuiteOptions<S>): void {
  describe(`AuditStore contract: ${options.name}`, () => {
    const opened: S[] = [];
    async function fresh(): Promise<S> {
      const store = await options.createStore();
      opened.push(store);
      return store;
    }
    afterAll(async () => {
      for (const store of opened) await options.closeStore?.(store);
    });

    it('round-trips every field of every event type, newest first', async () => {
      const store = await fresh();
      const ws = unique('ws');
      // Recent times: stores may drop events older than their retention (Redis: 90 days by default).
      const base = Date.now() - 3_600_000;
      const events = ALL_TYPES.map((type, i) =>
        event({
          type,
          time: new Date(base + i),
          workspaceId: ws,
          keyId: `key_${i}`,
          keyHint: `h${i}`,
          actor: i % 2 ? `user:${i}` : null,
          code: type.startsWith('verify.') ? 'invalid_key' : null,
          reason: type === 'verify.failed' ? 'unknown' : null,
          ip: i % 3 ? '2001:db8::1' : null,
          userAgent: i % 3 ? 'curl/8.5 ✓' : null,
          count: i + 1,
          details: { i, nested: { list: [1, 'two', null, true] } },
        }),
      );
      await store.appendAudit(events.slice(0, 5));
      await store.appendAudit(events.slice(5));
      const page = await store.readAudit({ workspaceId: ws, limit: 100 });
      expect(page.nextCursor).toBeNull();
      expect(page.items).toEqual([...events].reverse());
      expect(page.items[0]!.time).toBeInstanceOf(Date);
    });

    it('reads one workspace (or the events without one) in a time range, page by page, ties in arrival order', async () => {
      const store = await fresh();
      const ws = unique('ws');
      const base = Math.floor(Date.now() / 1000) * 1000 - 7_200_000;
      const mine: AuditEvent[] = [];
      for (let i = 0; i < 23; i++) mine.push(event({ time: new Date(base + Math.floor(i / 4) * 1000), workspaceId: ws, keyId: `key_${i}` }));
      await store.appendAudit(mine.slice(0, 11));
      await store.appendAudit([
        event({ time: new Date(base), workspaceId: `${ws}_other` }),
        event({ time: new Date(base), workspaceId: null, keyId: null }),
      ]);
      await store.appendAudit(mine.slice(11));
      const expected = [...mine].reverse().map((e) => e.id);
      const seen: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await store.readAudit({ workspaceId: ws, limit: 5, ...(cursor ? { cursor } : {}) });
        expect(page.items.length).toBeLessThanOrEqual(5);
        seen.push(...page.items.map((e) => e.id));
        cursor = page.nextCursor ?? undefined;
        pages++;
      } while (cursor && pages < 20);
      expect(seen).toEqual(expected);
      expect(pages).toBe(5);
      // from is included, to is not.
      const ranged = await store.readAudit({ workspaceId: ws, limit: 100, from: new Date(base + 1000), to: new Date(base + 3000) });
      expect(ranged.items.map((e) => e.id)).toEqual(
        mine
          .slice(4, 12)
          .reverse()
          .map((e) => e.id),
      );
      const none = await store.readAudit({ workspaceId: null, limit: 100, from: new Date(base), to: new Date(base + 1) });
      expect(none.items.some((e) => e.workspaceId === null)).toBe(true);
      expect(none.items.every((e) => e.workspaceId === null)).toBe(true);
      await expectCode(store.readAudit({ workspaceId: ws, limit: 5, cursor: 'not a cursor' }), 'invalid_argument');
    });

    it('filters by event types and by key, page by page, within the workspace and the time range', async () => {
      const store = await fresh();
      const ws = unique('ws');
      const base = Math.floor(Date.now() / 1000) * 1000 - 5_400_000;
      const types: AuditEventType[] = ['key.created', 'key.renamed', 'key.revoked', 'verify.failed'];
      const mine: AuditEvent[] = [];
      for (let i = 0; i < 60; i++) {
        mine.push(event({ time: new Date(base + Math.floor(i / 3) * 1000), workspaceId: ws, type: types[i % 4]!, keyId: `key_${i % 5}` }));
      }
      await store.appendAudit(mine.slice(0, 30));
      // The same key id and types in another workspace: never part of this workspace's answers.
      await store.appendAudit(mine.slice(0, 10).map((e) => ({ ...e, id: `${e.id}_x`, workspaceId: `${ws}_other` })));
      await store.appendAudit(mine.slice(30));
      const newestFirst = [...mine].reverse();
      async function all(filters: { types?: AuditEventType[]; keyId?: string; from?: Date; to?: Date }, limit: number): Promise<string[]> {
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.readAudit({ workspaceId: ws, limit, ...filters, ...(cursor ? { cursor } : {}) });
          expect(page.items.length).toBeLessThanOrEqual(limit);
          seen.push(...page.items.map((e) => e.id));
          cursor = page.nextCursor ?? undefined;
          pages++;
        } while (cursor && pages < 100);
        return seen;
      }
      const revokedOrRenamed = newestFirst.filter((e) => e.type === 'key.revoked' || e.type === 'key.renamed').map((e) => e.id);
      expect(revokedOrRenamed).toHaveLength(30);
      expect(await all({ types: ['key.revoked', 'key.renamed'] }, 4)).toEqual(revokedOrRenamed);
      expect(await all({ keyId: 'key_3' }, 5)).toEqual(newestFirst.filter((e) => e.keyId === 'key_3').map((e) => e.id));
      const both = newestFirst.filter((e) => e.keyId === 'key_1' && e.type === 'key.renamed').map((e) => e.id);
      expect(both.length).toBeGreaterThan(0);
      expect(await all({ keyId: 'key_1', types: ['key.renamed'] }, 2)).toEqual(both);
      const from = new Date(base + 5000);
      const to = new Date(base + 12_000);
      expect(await all({ types: ['verify.failed'], from, to }, 3)).toEqual(
        newestFirst.filter((e) => e.type === 'verify.failed' && e.time >= from && e.time < to).map((e) => e.id),
      );
      expect(await all({ keyId: 'key_none' }, 10)).toEqual([]);
      expect(await all({ types: ['verify.quota_exceeded'] }, 10)).toEqual([]);
    });

    describeAuditThroughEngine(fresh, options.dumpRaw, options.keyward);
  });
}
