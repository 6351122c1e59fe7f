import type { StoredKey } from '@keyward/core/store';
import type { PostgresStore } from '@keyward/store-postgres';
import { countersTable } from './export-store.js';
import type { Kind, Transfer } from './transfer-format.js';

/** What an import did, or why it did nothing. */
export interface ImportOutcome {
  /** Records written, per kind. */
  imported: Record<Kind, number>;
  /** Records that were there already, identical (keys, usage), or kept as the target has them (audit, counters). */
  present: Record<Kind, number>;
  /** Records the target holds differently: when there is any, nothing was written. */
  conflicts: string[];
}

/** The key as text with sorted fields, for comparison; without `lastUsedAt`, which is activity that goes on in the target. */
function canonical(key: StoredKey): string {
  const sorted = (value: unknown): unknown =>
    Array.isArray(value)
      ? value.map(sorted)
      : value && typeof value === 'object' && !(value instanceof Date)
        ? Object.fromEntries(
            Object.keys(value)
              .sort()
              .map((k) => [k, sorted((value as Record<string, unknown>)[k])]),
          )
        : value;
  return JSON.stringify(sorted({ ...key, lastUsedAt: null }));
}

/**
 * Writes an export into `store`, idempotently: a record the store holds already is left alone, so
 * running the same import twice changes nothing — also after the target has served requests in
 * between (a key's `lastUsedAt` and the usage counts only grow there). A key that the store holds
 * *differently* — the same id with other content, or the same hash under another id — or a usage
 * count lower than the file's is a conflict; then nothing at all is written, and the conflicts are
 * named (by id, never by hash).
 */
export async function importStore(store: PostgresStore, data: Transfer): Promise<ImportOutcome> {
  const imported: Record<Kind, number> = { key: 0, usage: 0, audit: 0, counter: 0 };
  const present: Record<Kind, number> = { key: 0, usage: 0, audit: 0, counter: 0 };
  const conflicts: string[] = [];

  // 1. Check everything first.
  const newKeys: StoredKey[] = [];
  for (const key of data.keys) {
    const existing = await store.findById(key.id);
    if (existing !== null) {
      if (canonical(existing) === canonical(key)) present.key++;
      else conflicts.push(`key ${key.id}: the store holds a key with this id and other content`);
      continue;
    }
    const sameHash = await store.findByHash(key.hash);
    if (sameHash !== null) conflicts.push(`key ${key.id}: the store holds its hash under another id (${sameHash.id})`);
    else newKeys.push(key);
  }
  const usageHeld = new Map<string, number>();
  if (data.usage.length > 0) {
    const rows = await store.pool.query<{ key_id: string; day: string; count: string }>(
      `SELECT key_id, day::text AS day, count::text AS count FROM ${store.tables.usage} WHERE key_id = ANY($1::text[])`,
      [[...new Set(data.usage.map((u) => u.keyId))]],
    );
    for (const r of rows.rows) usageHeld.set(`${r.key_id} ${r.day}`, Number(r.count));
  }
  const newUsage = data.usage.filter((u) => {
    const held = usageHeld.get(`${u.keyId} ${u.day}`);
    if (held === undefined) return true;
    // More than the file: the target went on counting after an earlier import of this file.
    if (held >= u.count) present.usage++;
    else conflicts.push(`usage of ${u.keyId} on ${u.day}: the store counts ${held}, the file ${u.count}`);
    return false;
  });
  if (conflicts.length > 0) return { imported, present, conflicts };

  // 2. Write what is missing.
  for (const key of newKeys) {
    await store.insert(key);
    imported.key++;
  }
  for (const u of newUsage) {
    const r = await store.pool.query(
      `INSERT INTO ${store.tables.usage} (key_id, day, workspace_id, count) VALUES ($1, $2::date, $3, $4::bigint) ON CONFLICT (key_id, day) DO NOTHING`,
      [u.keyId, u.day, u.workspaceId, String(u.count)],
    );
    if (r.rowCount === 1) imported.usage++;
    else present.usage++;
  }
  if (data.audit.length > 0) {
    const held = new Set(
      (
        await store.pool.query<{ id: string }>(`SELECT id FROM ${store.tables.audit} WHERE id = ANY($1::text[])`, [data.audit.map((e) => e.id)])
      ).rows.map((r) => r.id),
    );
    for (const e of data.audit) {
      if (held.has(e.id)) {
        present.audit++;
        continue;
      }
      await store.pool.query(
        `INSERT INTO ${store.tables.audit} (id, type, occurred_at, workspace_id, key_id, key_hint, actor, code, reason, ip, user_agent, count, details)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::bigint, $13::jsonb)`,
        [
          e.id,
          e.type,
          e.time,
          e.workspaceId,
          e.keyId,
          e.keyHint,
          e.actor,
          e.code,
          e.reason,
          e.ip,
          e.userAgent,
          String(e.count),
          JSON.stringify(e.details ?? {}),
        ],
      );
      held.add(e.id);
      imported.audit++;
    }
  }
  for (const c of data.counters) {
    // A counter the target has is its own, newer state: kept.
    const r = await store.pool.query(
      `INSERT INTO ${countersTable(store)} (key, value, expires_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING`,
      [c.key, c.value, c.expiresAt],
    );
    if (r.rowCount === 1) imported.counter++;
    else present.counter++;
  }
  return { imported, present, conflicts };
}
