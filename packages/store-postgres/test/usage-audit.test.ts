import { createKeyward } from '@keyward/core';
import { describeAuditStore, describeUsageStore } from '@keyward/core/testing';
import { postgresStore } from '@keyward/store-postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { newPool, schemaStores } from './helpers.js';

const pool = newPool();
const twinPool = newPool();
const stores = schemaStores(pool, 'usage');
const freshStore = () => stores.fresh();

afterAll(async () => {
  await stores.drop();
  await Promise.all([pool.end(), twinPool.end()]);
});

describeUsageStore({
  name: 'postgres',
  createStore: freshStore,
  // Another pool on the same schema: what a second process sees.
  openTwin: (store) => postgresStore({ pool: twinPool }, { schema: store.tables.keys.split('.')[0]!.replaceAll('"', '') }),
});

describeAuditStore({
  name: 'postgres',
  createStore: freshStore,
  dumpRaw: async (store) => {
    const audit = await pool.query<{ row: string }>(`SELECT a::text AS row FROM ${store.tables.audit} a`);
    const usage = await pool.query<{ row: string }>(`SELECT u::text AS row FROM ${store.tables.usage} u`);
    return [...audit.rows, ...usage.rows].map((r) => r.row).join('\n');
  },
});

describe('postgres usage and audit specifics', () => {
  it('writes a batch of counts in one statement and reads a workspace through its index', async () => {
    const store = await freshStore();
    const keyward = createKeyward({ store, usage: { flushInterval: '1h', lastUsedInterval: '1h' } });
    const created = await Promise.all(Array.from({ length: 30 }, (_, i) => keyward.create({ workspaceId: 'ws_batch', name: `k${i}` })));
    for (const c of created) for (let i = 0; i < 3; i++) expect((await keyward.verify({ authorization: `Bearer ${c.key}` })).ok).toBe(true);
    const before = await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${store.tables.usage}`);
    expect(before.rows[0]!.n).toBe('0');
    await keyward.close();
    const today = new Date().toISOString().slice(0, 10);
    const report = await keyward.usage({ workspaceId: 'ws_batch', from: today, to: today });
    expect(report.total).toBe(90);
    expect(report.keys).toHaveLength(30);
    const used = await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${store.tables.keys} WHERE last_used_at IS NOT NULL`);
    expect(used.rows[0]!.n).toBe('30');
    const plan = await pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT * FROM ${store.tables.audit} WHERE workspace_id = 'ws_batch' ORDER BY occurred_at DESC, seq DESC LIMIT 10`,
    );
    expect(plan.rows.map((r) => r['QUERY PLAN']).join('\n')).toMatch(/audit_ws_idx/);
  });

  it('prunes audit events older than a date', async () => {
    const store = await freshStore();
    let clock = Date.UTC(2026, 0, 1);
    const keyward = createKeyward({ store, now: () => clock, audit: { flushInterval: '1h' } });
    await keyward.create({ workspaceId: 'ws_prune', name: 'old' });
    clock = Date.UTC(2026, 5, 1);
    await keyward.create({ workspaceId: 'ws_prune', name: 'new' });
    await keyward.close();
    expect(await store.pruneAudit(new Date(Date.UTC(2026, 2, 1)))).toBe(1);
    const page = await keyward.auditLog({ workspaceId: 'ws_prune' });
    expect(page.items.map((e) => e.details.name)).toEqual(['new']);
  });
});
