import type { ExpiringQuery } from '@keyward/core/store';
import { KeywardError, type ListPage, type StoredKey } from '@keyward/core/store';
import type { Pool } from 'pg';
import { translateError } from './errors.js';
import type { TableNames } from './identifiers.js';
import { ROW_SQL, toStoredKey } from './row.js';
import { statement } from './statement.js';

const MAX_LIMIT = 1000;

function decodeCursor(cursor: string): { micros: string; id: string } {
  const match = typeof cursor === 'string' ? /^(-?\d{1,19}):([\s\S]{1,512})$/.exec(cursor) : null;
  if (!match) throw new KeywardError('invalid_argument', { message: 'invalid cursor: pass the nextCursor of the previous page unchanged' });
  return { micros: match[1]!, id: match[2]! };
}

/**
 * `listExpiring` on PostgreSQL: one statement on a partial index in expiry order
 * (`keys_expiring_idx`, or `keys_ws_expiring_idx` for one workspace; migration 5). The WHERE
 * clause repeats the indexes' predicate, so that the planner can use them; the keyset cursor is
 * `(expires_at, id)` in microseconds, like the listing's.
 */
export function postgresExpiring(pool: Pool, t: TableNames): { listExpiring(query: ExpiringQuery): Promise<ListPage<StoredKey>> } {
  const statements = new Map<string, { name: string; text: string }>();
  function statementFor(byWorkspace: boolean, hasCursor: boolean): { name: string; text: string } {
    const id = `${byWorkspace}${hasCursor}`;
    let text = statements.get(id);
    if (text === undefined) {
      let n = 2;
      const where = ['expires_at IS NOT NULL', 'revoked_at IS NULL', 'rotated_to_id IS NULL', 'expires_at > $1', 'expires_at <= $2'];
      if (byWorkspace) where.unshift(`workspace_id = $${++n}`, 'workspace_id IS NOT NULL');
      if (hasCursor) where.push(`(expires_at, id) > (timestamptz 'epoch' + $${++n}::bigint * interval '1 microsecond', $${++n})`);
      text = statement(
        `SELECT ${ROW_SQL} AS r, (extract(epoch FROM expires_at) * 1000000)::bigint::text AS cursor_us FROM ${t.keys}` +
          ` WHERE ${where.join(' AND ')} ORDER BY expires_at, id LIMIT $${++n}`,
      );
      statements.set(id, text);
    }
    return text;
  }

  return {
    async listExpiring(query: ExpiringQuery): Promise<ListPage<StoredKey>> {
      const limit = query.limit;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
        throw new KeywardError('invalid_argument', { message: `limit must be an integer from 1 to ${MAX_LIMIT}` });
      }
      const after = query.cursor === undefined ? null : decodeCursor(query.cursor);
      const values: unknown[] = [query.after, query.before];
      if (query.workspaceId !== undefined) values.push(query.workspaceId);
      if (after !== null) values.push(after.micros, after.id);
      values.push(limit + 1);
      let rows: { r: unknown; cursor_us: string }[];
      try {
        rows = (await pool.query<{ r: unknown; cursor_us: string }>({ ...statementFor(query.workspaceId !== undefined, after !== null), values }))
          .rows;
      } catch (error) {
        throw translateError(error);
      }
      const page = rows.slice(0, limit);
      const items = page.map((row) => toStoredKey(row.r));
      const last = page[page.length - 1];
      return { items, nextCursor: rows.length > limit && last !== undefined ? `${last.cursor_us}:${items[items.length - 1]!.id}` : null };
    },
  };
}
