import { KeywardError, type AuditEvent, type AuditEventType, type AuditRange, type AuditStore, type ListPage } from '@keyward/core/store';
import type { Pool } from 'pg';
import { translateError } from './errors.js';
import type { TableNames } from './identifiers.js';

interface AuditRow {
  /** As text (a bigint); named apart from `seq` so that ORDER BY sorts the number, not this text. */
  seq_text: string;
  id: string;
  type: string;
  occurred_at: Date;
  workspace_id: string | null;
  key_id: string | null;
  key_hint: string | null;
  actor: string | null;
  code: string | null;
  reason: string | null;
  ip: string | null;
  user_agent: string | null;
  count: string;
  details: Record<string, unknown>;
}

const COLUMNS =
  'seq::text AS seq_text, id, type, occurred_at, workspace_id, key_id, key_hint, actor, code, reason, ip, user_agent, count::text AS count, details';

function decodeCursor(cursor: string): { ms: string; seq: string } {
  const m = /^(-?\d{1,16}):(\d{1,19})$/.exec(cursor);
  if (!m) throw new KeywardError('invalid_argument', { message: 'invalid cursor: pass the nextCursor of the previous page unchanged' });
  return { ms: m[1]!, seq: m[2]! };
}

function toEvent(r: AuditRow): AuditEvent {
  return {
    id: r.id,
    type: r.type as AuditEventType,
    time: r.occurred_at,
    workspaceId: r.workspace_id,
    keyId: r.key_id,
    keyHint: r.key_hint,
    actor: r.actor,
    code: r.code,
    reason: r.reason,
    ip: r.ip,
    userAgent: r.user_agent,
    count: Number(r.count),
    details: r.details,
  };
}

/** What the PostgreSQL store adds to `AuditStore`. */
export interface PostgresAuditExtras {
  /**
   * Deletes the audit events older than `before` (the table keeps everything until you do): run it
   * from a daily job, e.g. with `before` 90 days ago.
   * @returns how many were deleted.
   */
  pruneAudit(before: Date): Promise<number>;
}

/** The audit log on PostgreSQL: one multi-row INSERT per batch, keyset pages per workspace. */
export function postgresAudit(pool: Pool, t: TableNames): AuditStore & PostgresAuditExtras {
  const insert = `INSERT INTO ${t.audit} (id, type, occurred_at, workspace_id, key_id, key_hint, actor, code, reason, ip, user_agent, count, details)
SELECT id, type, occurred_at, workspace_id, key_id, key_hint, actor, code, reason, ip, user_agent, count, details
FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::bigint[], $13::jsonb[])
  WITH ORDINALITY AS v(id, type, occurred_at, workspace_id, key_id, key_hint, actor, code, reason, ip, user_agent, count, details, n)
ORDER BY n`;

  const query = <R extends object>(text: string, values: unknown[]) =>
    pool.query<R>(text, values).catch((error: unknown) => {
      throw translateError(error);
    });

  return {
    async appendAudit(events: readonly AuditEvent[]): Promise<void> {
      if (events.length === 0) return;
      const col = <T>(f: (e: AuditEvent) => T) => events.map(f);
      await query(insert, [
        col((e) => e.id),
        col((e) => e.type),
        col((e) => e.time),
        col((e) => e.workspaceId),
        col((e) => e.keyId),
        col((e) => e.keyHint),
        col((e) => e.actor),
        col((e) => e.code),
        col((e) => e.reason),
        col((e) => e.ip),
        col((e) => e.userAgent),
        col((e) => String(e.count)),
        col((e) => JSON.stringify(e.details ?? {})),
      ]);
    },

    async readAudit(range: AuditRange): Promise<ListPage<AuditEvent>> {
      const values: unknown[] = [];
      const where: string[] = [];
      if (range.workspaceId === null) where.push('workspace_id IS NULL');
      else {
        values.push(range.workspaceId);
        where.push(`workspace_id = $${values.length}`);
      }
      if (range.from !== undefined) {
        values.push(range.from);
        where.push(`occurred_at >= $${values.length}`);
      }
      if (range.to !== undefined) {
        values.push(range.to);
        where.push(`occurred_at < $${values.length}`);
      }
      if (range.keyId !== undefined) {
        values.push(range.keyId);
        where.push(`key_id = $${values.length}`);
      }
      if (range.types !== undefined) {
        values.push([...range.types]);
        where.push(`type = ANY($${values.length}::text[])`);
      }
      if (range.cursor !== undefined) {
        const after = decodeCursor(range.cursor);
        values.push(after.ms, after.seq);
        where.push(
          `(occurred_at, seq) < (timestamptz 'epoch' + $${values.length - 1}::bigint * interval '1 millisecond', $${values.length}::bigint)`,
        );
      }
      values.push(range.limit + 1);
      const result = await query<AuditRow>(
        `SELECT ${COLUMNS} FROM ${t.audit} WHERE ${where.join(' AND ')} ORDER BY occurred_at DESC, seq DESC LIMIT $${values.length}`,
        values,
      );
      const rows = result.rows.slice(0, range.limit);
      const last = rows[rows.length - 1];
      return {
        items: rows.map(toEvent),
        nextCursor: result.rows.length > range.limit && last ? `${last.occurred_at.getTime()}:${last.seq_text}` : null,
      };
    },

    async pruneAudit(before: Date): Promise<number> {
      if (!(before instanceof Date) || Number.isNaN(before.getTime())) throw new TypeError('pruneAudit needs a Date');
      const result = await query(`DELETE FROM ${t.audit} WHERE occurred_at < $1`, [before]);
      return result.rowCount ?? 0;
    },
  };
}
