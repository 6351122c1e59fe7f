import { sampleStoredKey } from '@keyward/core/testing';
import { postgresStore, type PostgresStore } from '@keyward/store-postgres';
import type { Pool } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newPool, randomSchema } from './helpers.js';

const pool = newPool();
const schema = randomSchema('exp');
const DAY = 86_400_000;
const base = Date.UTC(2027, 0, 1);

/** The pool, with the text and values of every query the store sends remembered. */
function spy(inner: Pool, seen: { text: string; values: unknown[] }[]): Pool {
  const wrapped = Object.create(inner) as Pool;
  (wrapped as { query: unknown }).query = (config: unknown, values?: unknown[]) => {
    if (typeof config === 'string') seen.push({ text: config, values: values ?? [] });
    else if (config && typeof config === 'object' && 'text' in config) {
      const named = config as { text: string; values?: unknown[] };
      seen.push({ text: named.text, values: named.values ?? [] });
    }
    return (inner.query as (...args: unknown[]) => unknown)(config, values);
  };
  return wrapped;
}

const seen: { text: string; values: unknown[] }[] = [];
let store: PostgresStore;

beforeAll(async () => {
  store = postgresStore({ pool: spy(pool, seen) }, { schema });
  await store.migrate();
  // Many keys, of which few expire while working: what a real table looks like.
  const rows = [];
  for (let i = 0; i < 3000; i++) {
    const expiring = i % 60 === 0;
    rows.push(
      sampleStoredKey({
        workspaceId: `ws_${i % 40}`,
        expiresAt: expiring ? new Date(base + (i % 9) * DAY) : i % 3 === 0 ? new Date(base + 500 * DAY) : null,
        revokedAt: !expiring && i % 7 === 0 ? new Date(base) : null,
      }),
    );
  }
  for (let i = 0; i < rows.length; i += 500) await Promise.all(rows.slice(i, i + 500).map((k) => store.insert(k)));
  await pool.query(`ANALYZE ${store.tables.keys}`);
}, 120_000);

afterAll(async () => {
  await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await pool.end();
});

async function plan(query: Parameters<PostgresStore['listExpiring']>[0]): Promise<string> {
  seen.length = 0;
  await store.listExpiring(query);
  const sent = seen.find((q) => q.text.includes('expires_at <='));
  if (!sent) throw new Error('listExpiring sent no query');
  const explained = await pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN ${sent.text}`, sent.values);
  return explained.rows.map((r) => r['QUERY PLAN']).join('\n');
}

describe('listExpiring on PostgreSQL', () => {
  it('reads the partial expiry index, never the whole table (every workspace)', async () => {
    const text = await plan({ after: new Date(base), before: new Date(base + 10 * DAY), limit: 100 });
    expect(text).toContain('keyward_keys_expiring_idx');
    expect(text).not.toMatch(/Seq Scan/);
  });

  it('reads the per-workspace expiry index for one workspace, with a cursor too', async () => {
    const first = await store.listExpiring({ workspaceId: 'ws_0', after: new Date(base), before: new Date(base + 10 * DAY), limit: 1 });
    expect(first.items).toHaveLength(1);
    expect(first.nextCursor).not.toBeNull();
    const text = await plan({ workspaceId: 'ws_0', after: new Date(base), before: new Date(base + 10 * DAY), limit: 1, cursor: first.nextCursor! });
    expect(text).toContain('keyward_keys_ws_expiring_idx');
    expect(text).not.toMatch(/Seq Scan/);
  });

  it('keeps only keys that will expire while working in the index', async () => {
    const size = await pool.query<{ n: string }>(
      `SELECT count(*)::text AS n FROM ${store.tables.keys} WHERE expires_at IS NOT NULL AND revoked_at IS NULL AND rotated_to_id IS NULL`,
    );
    const all = await pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${store.tables.keys}`);
    expect(Number(size.rows[0]!.n)).toBeLessThan(Number(all.rows[0]!.n) / 2);
    const page = await store.listExpiring({ after: new Date(base), before: new Date(base + 10 * DAY), limit: 1000 });
    // Every 60th key of 3000 expires within the window, except those at `after` itself (i % 9 === 0).
    const expected = Array.from({ length: 3000 }, (_, i) => i).filter((i) => i % 60 === 0 && i % 9 !== 0).length;
    expect(page.items).toHaveLength(expected);
    expect(page.items.every((k, i) => i === 0 || page.items[i - 1]!.expiresAt!.getTime() <= k.expiresAt!.getTime())).toBe(true);
  });
});
