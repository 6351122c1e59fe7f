import type { AuditEvent, AuditEventType } from '@keyward/core';
import type { PostgresStore } from '@keyward/store-postgres';
import { type Counter, footer, header, type Kind, line } from './transfer-format.js';

/** The counters table, next to the keys table (same schema and prefix). */
export function countersTable(store: PostgresStore): string {
  return store.tables.keys.replace(/keys"$/, 'counters"');
}

/**
 * Writes the whole store as JSON lines (see transfer-format.ts): every key with its hash, the usage
 * counts, the audit log and the counters, read page by page so that a large store streams.
 * @returns how many records of each kind were written.
 */
export async function exportStore(store: PostgresStore, write: (line: string) => void, now = new Date()): Promise<Record<Kind, number>> {
  const counts: Record<Kind, number> = { key: 0, usage: 0, audit: 0, counter: 0 };
  write(`${header(now)}\n`);
  let cursor: string | undefined;
  for (let pages = 0; pages < 10_000_000; pages++) {
    const page = await store.list({ limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const key of page.items) {
      write(`${line('key', key)}\n`);
      counts.key++;
    }
    if (page.nextCursor === null) break;
    cursor = page.nextCursor;
  }
  const usage = await store.pool.query<{ key_id: string; workspace_id: string | null; day: string; count: string }>(
    `SELECT key_id, workspace_id, day::text AS day, count::text AS count FROM ${store.tables.usage} ORDER BY key_id, day`,
  );
  for (const r of usage.rows) {
    write(`${line('usage', { keyId: r.key_id, workspaceId: r.workspace_id, day: r.day, count: Number(r.count) })}\n`);
    counts.usage++;
  }
  const audit = await store.pool.query<Record<string, unknown>>(
    `SELECT id, type, occurred_at, workspace_id, key_id, key_hint, actor, code, reason, ip, user_agent, count::text AS count, details FROM ${store.tables.audit} ORDER BY seq`,
  );
  for (const r of audit.rows) {
    const event: AuditEvent = {
      id: r.id as string,
      type: r.type as AuditEventType,
      time: r.occurred_at as Date,
      workspaceId: r.workspace_id as string | null,
      keyId: r.key_id as string | null,
      keyHint: r.key_hint as string | null,
      actor: r.actor as string | null,
      code: r.code as string | null,
      reason: r.reason as string | null,
      ip: r.ip as string | null,
      userAgent: r.user_agent as string | null,
      count: Number(r.count),
      details: r.details as Record<string, unknown>,
    };
    write(`${line('audit', event)}\n`);
    counts.audit++;
  }
  const counters = await store.pool.query<{ key: string; value: number; expires_at: Date }>(
    `SELECT key, value, expires_at FROM ${countersTable(store)} ORDER BY key`,
  );
  for (const r of counters.rows) {
    const counter: Counter = { key: r.key, value: Number(r.value), expiresAt: r.expires_at };
    write(`${line('counter', counter)}\n`);
    counts.counter++;
  }
  write(`${footer(counts)}\n`);
  return counts;
}
