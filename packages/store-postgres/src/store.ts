import {
  KeywardError,
  type AuditStore,
  type KeyPatch,
  type KeyStore,
  type ListPage,
  type ListQuery,
  type RotateInput,
  type StoredKey,
  type UsageStore,
  type CounterStore,
  type ExpiringQuery,
} from '@keyward/core/store';
import type { Pool, PoolClient, QueryConfig, QueryResult } from 'pg';
import { resolvePool, type PostgresConnection } from './connection.js';
import { translateError } from './errors.js';
import { checkSchema, checkTablePrefix, tableNames, type TableNames } from './identifiers.js';
import { migrate, type MigrateResult } from './migrations.js';
import { postgresAudit, type PostgresAuditExtras } from './audit.js';
import { postgresUsage } from './usage.js';
import { postgresCounters } from './counters.js';
import { postgresExpiring } from './expiring.js';
import { statement } from './statement.js';
import { COLUMN_LIST, COLUMNS, ROW_SQL, rowValues, toStoredKey, type KeyRow } from './row.js';

/** Options of {@link postgresStore}. */
export interface PostgresStoreOptions {
  /**
   * Schema of the tables. Must be a plain SQL identifier (letters, digits, `_`); it is quoted, so
   * it is case-sensitive.
   * @default 'public'
   * @throws {RangeError} for anything else.
   */
  schema?: string;
  /**
   * Prefix of the table and index names (`keyward_keys`, `keyward_migrations`, …). Empty or a plain
   * SQL identifier of at most 45 characters.
   * @default 'keyward_'
   * @throws {RangeError} for anything else.
   */
  tablePrefix?: string;
}

/** A PostgreSQL key store. */
export interface PostgresStore extends KeyStore, UsageStore, AuditStore, CounterStore, PostgresAuditExtras {
  /** Deletes counters that mean nothing any more (ended periods and windows); returns how many. */
  pruneCounters(now?: Date): Promise<number>;
  /** The pool the store queries (yours, or the one it created from `connectionString`). */
  readonly pool: Pool;
  /** Quoted, schema-qualified table names (`"public"."keyward_keys"`), for your own SQL. */
  readonly tables: { readonly keys: string; readonly migrations: string; readonly usage: string; readonly audit: string };
  findById(id: string): Promise<StoredKey | null>;
  findByHash(hash: string): Promise<StoredKey | null>;
  /** Keys that expire soon, soonest first, from the partial index of migration 5 (see `KeyStore.listExpiring`). */
  listExpiring(query: ExpiringQuery): Promise<ListPage<StoredKey>>;
  /** Runs {@link migrate} with this store's pool, schema and prefix. */
  migrate(): Promise<MigrateResult>;
  /** Ends the pool when the store created it from `connectionString`; a pool you passed stays open. */
  close(): Promise<void>;
}

const MAX_LIMIT = 1000;
const DEFAULT_LIMIT = 100;

/** Columns a `KeyPatch` may set, and how a value is written. */
const PATCH_COLUMNS: Readonly<Record<keyof KeyPatch, { column: string; value?: (v: unknown) => unknown }>> = {
  name: { column: 'name' },
  scopes: { column: 'scopes', value: (v) => [...(v as readonly string[])] },
  expiresAt: { column: 'expires_at' },
  revokedAt: { column: 'revoked_at' },
  metadata: { column: 'metadata', value: (v) => JSON.stringify(v) },
  hash: { column: 'hash' },
  hashVersion: { column: 'hash_version' },
  lastUsedAt: { column: 'last_used_at' },
  updatedAt: { column: 'updated_at' },
};

function encodeCursor(micros: string, id: string): string {
  return `${micros}:${id}`;
}

function decodeCursor(cursor: string): { micros: string; id: string } {
  const match = typeof cursor === 'string' ? /^(-?\d{1,19}):([\s\S]{1,512})$/.exec(cursor) : null;
  if (!match) throw new KeywardError('invalid_argument', { message: 'invalid cursor: pass the nextCursor of the previous page unchanged' });
  return { micros: match[1]!, id: match[2]! };
}

function sqlFor(t: TableNames) {
  const placeholders = COLUMNS.map((_, i) => `$${i + 1}`).join(', ');
  return {
    byId: statement(`SELECT ${ROW_SQL} AS r FROM ${t.keys} WHERE id = $1`),
    byHash: statement(`SELECT ${ROW_SQL} AS r FROM ${t.keys} WHERE hash = $1`),
    insert: statement(`INSERT INTO ${t.keys} (${COLUMN_LIST}) VALUES (${placeholders})`),
    delete: statement(`DELETE FROM ${t.keys} WHERE id = $1 RETURNING ${ROW_SQL} AS r`),
    exists: statement(`SELECT 1 FROM ${t.keys} WHERE id = $1`),
  };
}

/**
 * Keeps keys in PostgreSQL with node-postgres. Run {@link migrate} (or `store.migrate()`) once
 * before use, at deploy time.
 *
 * Each lookup of a verify is one indexed read (`id` primary key, or `hash` unique index) through a
 * named statement; revoke and update are single statements; `rotate` is one transaction.
 *
 * @example
 * ```ts
 * import { Pool } from 'pg';
 * const pool = new Pool({ connectionString: process.env.DATABASE_URL });
 * const store = postgresStore({ pool });
 * await store.migrate();
 * const keyward = createKeyward({ store });
 * ```
 * @throws {TypeError} without a pool or connection string; {RangeError} for an invalid schema or prefix.
 */
export function postgresStore(connection: PostgresConnection, options: PostgresStoreOptions = {}): PostgresStore {
  const schema = checkSchema(options.schema ?? 'public');
  const prefix = checkTablePrefix(options.tablePrefix ?? 'keyward_');
  const { pool, owned } = resolvePool(connection, 'postgresStore');
  const names = tableNames(schema, prefix);
  const sql = sqlFor(names);
  const listStatements = new Map<string, { name: string; text: string }>();
  let closed: Promise<void> | null = null;

  // Plain promise chains rather than async functions: fewer ticks on the hot path.
  function query(config: QueryConfig, keyId?: string): Promise<QueryResult<KeyRow>> {
    return pool.query<KeyRow>(config).catch((error: unknown) => {
      throw translateError(error, keyId);
    });
  }

  const firstOrNull = (result: QueryResult<KeyRow>): StoredKey | null => (result.rows.length === 0 ? null : toStoredKey(result.rows[0]!.r));
  const rethrow = (error: unknown): never => {
    throw translateError(error);
  };

  function listStatement(query: ListQuery, hasCursor: boolean): { name: string; text: string } {
    const where: string[] = [];
    let n = 0;
    if (query.workspaceId !== undefined) where.push(`workspace_id = $${++n}`);
    if (query.ownerId !== undefined) where.push(`owner_id = $${++n}`);
    if (query.includeRevoked === false) where.push('revoked_at IS NULL');
    if (hasCursor) where.push(`(created_at, id) > (timestamptz 'epoch' + $${++n}::bigint * interval '1 microsecond', $${++n})`);
    const text =
      `SELECT ${ROW_SQL} AS r, (extract(epoch FROM created_at) * 1000000)::bigint::text AS cursor_us FROM ${names.keys}` +
      `${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY created_at, id LIMIT $${++n}`;
    let named = listStatements.get(text);
    if (named === undefined) {
      named = statement(text);
      listStatements.set(text, named);
    }
    return named;
  }

  async function rotateIn(client: PoolClient, input: RotateInput): Promise<StoredKey> {
    const values: unknown[] = [input.oldId, input.successor.id, input.now];
    const set = ['rotated_to_id = $2', 'updated_at = $3'];
    if (input.revokeOld) set.push('revoked_at = $3');
    if (input.oldExpiresAt !== undefined) {
      values.push(input.oldExpiresAt);
      set.push(`expires_at = $${values.length}`);
    }
    // The WHERE clause re-checks the row after any concurrent rotation commits (READ COMMITTED
    // re-evaluates it on the newest version), so only one rotation of a key can match.
    const retired = await client.query<KeyRow>(
      `UPDATE ${names.keys} SET ${set.join(', ')} WHERE id = $1 AND revoked_at IS NULL AND rotated_to_id IS NULL RETURNING ${ROW_SQL} AS r`,
      values,
    );
    if (retired.rows.length === 0) {
      const exists = await client.query({ ...sql.exists, values: [input.oldId] });
      throw exists.rows.length === 0
        ? new KeywardError('not_found', { keyId: input.oldId })
        : new KeywardError('conflict', { message: 'this key was revoked or rotated already', keyId: input.oldId });
    }
    await client.query({ ...sql.insert, values: rowValues(input.successor) });
    return toStoredKey(retired.rows[0]!.r);
  }

  return {
    ...postgresUsage(pool, names),
    ...postgresAudit(pool, names),
    ...postgresCounters(pool, names),
    ...postgresExpiring(pool, names),
    system: 'postgresql',
    pool,
    tables: { keys: names.keys, migrations: names.migrations, usage: names.usage, audit: names.audit },

    migrate: () => migrate({ pool, schema, tablePrefix: prefix }),

    async insert(key: StoredKey): Promise<void> {
      await query({ ...sql.insert, values: rowValues(key) }, key.id);
    },

    findById(id: string): Promise<StoredKey | null> {
      return pool.query<KeyRow>({ name: sql.byId.name, text: sql.byId.text, values: [id] }).then(firstOrNull, rethrow);
    },

    findByHash(hash: string): Promise<StoredKey | null> {
      return pool.query<KeyRow>({ name: sql.byHash.name, text: sql.byHash.text, values: [hash] }).then(firstOrNull, rethrow);
    },

    async list(q: ListQuery): Promise<ListPage<StoredKey>> {
      const limit = q.limit ?? DEFAULT_LIMIT;
      if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
        throw new KeywardError('invalid_argument', { message: `limit must be an integer from 1 to ${MAX_LIMIT}` });
      }
      const after = q.cursor === undefined ? null : decodeCursor(q.cursor);
      const values: unknown[] = [];
      if (q.workspaceId !== undefined) values.push(q.workspaceId);
      if (q.ownerId !== undefined) values.push(q.ownerId);
      if (after !== null) values.push(after.micros, after.id);
      values.push(limit + 1);
      const result = await query({ ...listStatement(q, after !== null), values });
      const rows = result.rows.slice(0, limit);
      const items = rows.map((row) => toStoredKey(row.r));
      const last = rows[rows.length - 1] as (KeyRow & { cursor_us?: unknown }) | undefined;
      const nextCursor =
        result.rows.length > limit && last !== undefined && typeof last.cursor_us === 'string'
          ? encodeCursor(last.cursor_us, items[items.length - 1]!.id)
          : null;
      return { items, nextCursor };
    },

    async update(id: string, patch: KeyPatch): Promise<StoredKey | null> {
      const values: unknown[] = [id];
      const set: string[] = [];
      for (const [field, value] of Object.entries(patch)) {
        const spec = PATCH_COLUMNS[field as keyof KeyPatch];
        if (spec === undefined || value === undefined) continue;
        values.push(spec.value ? spec.value(value) : value);
        set.push(`${spec.column} = $${values.length}`);
      }
      if (set.length === 0) return firstOrNull(await query({ ...sql.byId, values: [id] }));
      return firstOrNull(await query({ text: `UPDATE ${names.keys} SET ${set.join(', ')} WHERE id = $1 RETURNING ${ROW_SQL} AS r`, values }, id));
    },

    async delete(id: string): Promise<StoredKey | null> {
      return firstOrNull(await query({ ...sql.delete, values: [id] }));
    },

    async rotate(input: RotateInput): Promise<StoredKey> {
      const signal = input.signal;
      let client: PoolClient;
      try {
        signal?.throwIfAborted();
        client = await pool.connect();
      } catch (error) {
        throw translateError(error);
      }
      let broken: Error | undefined;
      let released = false;
      // The engine stopped waiting and answered 503 (the caller never got the successor's key):
      // drop the connection, so that the server, hung or not, ends the transaction uncommitted.
      const drop = () => {
        if (released) return;
        released = true;
        client.release(signal!.reason instanceof Error ? signal!.reason : new Error('the rotation was aborted'));
      };
      if (signal?.aborted) drop();
      signal?.addEventListener('abort', drop, { once: true });
      try {
        signal?.throwIfAborted();
        await client.query('BEGIN');
        try {
          const retired = await rotateIn(client, input);
          // COMMIT only for a caller who still waits.
          signal?.throwIfAborted();
          await client.query('COMMIT');
          return retired;
        } catch (error) {
          if (!released) {
            await client.query('ROLLBACK').catch((e: unknown) => {
              broken = e instanceof Error ? e : new Error('ROLLBACK failed');
            });
          }
          throw error;
        }
      } catch (error) {
        throw translateError(error, input.successor.id);
      } finally {
        signal?.removeEventListener('abort', drop);
        // A client whose ROLLBACK failed may sit in an aborted transaction: destroy it.
        if (!released) client.release(broken);
      }
    },

    close(): Promise<void> {
      closed ??= owned ? pool.end() : Promise.resolve();
      return closed;
    },
  };
}
