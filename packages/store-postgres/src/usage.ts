import type { KeyTouch, UsageCount, UsageRange, UsageStore } from '@keyward/core/store';
import type { Pool } from 'pg';
import { translateError } from './errors.js';
import type { TableNames } from './identifiers.js';

/** SQLSTATE of a deadlock: retried, since the batch is either fully written or not at all. */
const DEADLOCK = '40P01';

async function withRetry<T>(run: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (attempt < 2 && (error as { code?: unknown }).code === DEADLOCK) continue;
      throw translateError(error);
    }
  }
}

interface UsageRow {
  key_id: string;
  workspace_id: string | null;
  day: string;
  count: string;
}

/**
 * Usage on PostgreSQL: each batch is one statement. Counts are an upsert that adds
 * (`ON CONFLICT DO UPDATE SET count = count + excluded.count`), never a read-then-write; rows are
 * sorted so that concurrent batches of several engines lock them in the same order.
 */
export function postgresUsage(pool: Pool, t: TableNames): UsageStore {
  const add = `INSERT INTO ${t.usage} AS u (key_id, day, workspace_id, count)
SELECT v.key_id, v.day, v.workspace_id, v.count FROM unnest($1::text[], $2::date[], $3::text[], $4::bigint[]) AS v(key_id, day, workspace_id, count)
ON CONFLICT (key_id, day) DO UPDATE SET count = u.count + excluded.count`;
  const touch = `UPDATE ${t.keys} AS k SET last_used_at = v.at
FROM unnest($1::text[], $2::timestamptz[]) AS v(id, at)
WHERE k.id = v.id AND (k.last_used_at IS NULL OR k.last_used_at < v.at)`;
  const columns = `key_id, workspace_id, day::text AS day, count::text AS count`;
  const byKey = `SELECT ${columns} FROM ${t.usage} WHERE key_id = $1 AND day BETWEEN $2::date AND $3::date ORDER BY day, key_id`;
  const byWorkspace = `SELECT ${columns} FROM ${t.usage} WHERE workspace_id = $1 AND day BETWEEN $2::date AND $3::date ORDER BY day, key_id`;

  return {
    async addUsage(counts: readonly UsageCount[]): Promise<void> {
      if (counts.length === 0) return;
      const rows = [...counts].sort((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : a.day < b.day ? -1 : a.day > b.day ? 1 : 0));
      const values = [rows.map((r) => r.keyId), rows.map((r) => r.day), rows.map((r) => r.workspaceId), rows.map((r) => String(r.count))];
      await withRetry(() => pool.query(add, values));
    },

    async touchKeys(touches: readonly KeyTouch[]): Promise<void> {
      if (touches.length === 0) return;
      const rows = [...touches].sort((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : 0));
      await withRetry(() => pool.query(touch, [rows.map((r) => r.keyId), rows.map((r) => r.at)]));
    },

    async readUsage(range: UsageRange): Promise<UsageCount[]> {
      const result = await withRetry(() =>
        pool.query<UsageRow>(range.keyId !== undefined ? byKey : byWorkspace, [range.keyId ?? range.workspaceId, range.from, range.to]),
      );
      return result.rows.map((r) => ({ keyId: r.key_id, workspaceId: r.workspace_id, day: r.day, count: Number(r.count) }));
    },
  };
}
