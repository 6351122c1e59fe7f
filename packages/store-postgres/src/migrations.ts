import type { PoolClient } from 'pg';
import { resolvePool, type PostgresConnection } from './connection.js';
import { translateError } from './errors.js';
import { checkSchema, checkTablePrefix, quoteIdentifier, tableNames, type TableNames } from './identifiers.js';

/** One versioned step of the schema. Versions only ever grow; a released step is never edited. */
export interface Migration {
  readonly version: number;
  readonly name: string;
  /** The SQL of the step, for the given (already quoted) table names. */
  sql(names: TableNames): string;
}

/**
 * The schema of `@keyward/store-postgres`, as versioned steps.
 *
 * Every verify is one indexed read: by `id` (primary key) for id formats, by `hash` (unique index)
 * for opaque formats. Listings walk `(workspace_id, created_at, id)` or `(owner_id, created_at, id)`
 * with a keyset cursor. Identifier-like columns use the "C" collation: byte order (which matches
 * JavaScript's string order for cursors) and the cheapest comparisons. The CHECK constraints keep
 * rows the store could not map from being written by other tools.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'create keys table',
    sql: (t) => `
CREATE TABLE ${t.keys} (
  id            text COLLATE "C" NOT NULL,
  workspace_id  text COLLATE "C",
  owner_id      text COLLATE "C",
  name          text NOT NULL,
  format        text NOT NULL,
  environment   text,
  scopes        text[] NOT NULL DEFAULT '{}',
  prefix        text NOT NULL DEFAULT '',
  hint          text NOT NULL DEFAULT '',
  hash          text COLLATE "C" NOT NULL,
  hash_version  text NOT NULL,
  legacy        boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now(),
  updated_at    timestamptz NOT NULL DEFAULT now(),
  expires_at    timestamptz,
  revoked_at    timestamptz,
  sunset_at     timestamptz,
  rotated_to_id text COLLATE "C",
  last_used_at  timestamptz,
  metadata      jsonb NOT NULL DEFAULT '{}'::jsonb,
  CONSTRAINT ${quoteIdentifier(t.object('keys_pkey'))} PRIMARY KEY (id),
  CONSTRAINT ${quoteIdentifier(t.object('keys_hash_key'))} UNIQUE (hash),
  CONSTRAINT ${quoteIdentifier(t.object('keys_id_check'))} CHECK (id <> ''),
  CONSTRAINT ${quoteIdentifier(t.object('keys_hash_check'))} CHECK (hash <> ''),
  CONSTRAINT ${quoteIdentifier(t.object('keys_owner_check'))} CHECK (workspace_id IS NOT NULL OR owner_id IS NOT NULL),
  CONSTRAINT ${quoteIdentifier(t.object('keys_scopes_check'))} CHECK (coalesce(array_ndims(scopes), 1) = 1 AND array_position(scopes, NULL) IS NULL),
  CONSTRAINT ${quoteIdentifier(t.object('keys_metadata_check'))} CHECK (jsonb_typeof(metadata) = 'object')
);
CREATE INDEX ${quoteIdentifier(t.object('keys_workspace_idx'))} ON ${t.keys} (workspace_id, created_at, id) WHERE workspace_id IS NOT NULL;
CREATE INDEX ${quoteIdentifier(t.object('keys_owner_idx'))} ON ${t.keys} (owner_id, created_at, id) WHERE owner_id IS NOT NULL;
`,
  },
  {
    // Counters of rate limits (a GCRA arrival time, ms) and quotas (units used in a period), each
    // changed by one conditional upsert; rows past `expires_at` mean nothing and can be pruned.
    version: 2,
    name: 'create counters table',
    sql: (t) => `
CREATE TABLE ${t.counters} (
  key         text COLLATE "C" NOT NULL PRIMARY KEY,
  value       float8 NOT NULL,
  expires_at  timestamptz NOT NULL
);
CREATE INDEX ${quoteIdentifier(t.object('counters_expires_idx'))} ON ${t.counters} (expires_at);
`,
  },
  {
    // Usage: one row per key and UTC day, grown by upserts that add (two engines add up exactly).
    // Audit: append-only, read per workspace newest first; `seq` orders events of the same instant
    // by arrival and makes the cursor exact; the BRIN index serves pruning by time at little cost.
    version: 3,
    name: 'create usage and audit tables',
    sql: (t) => `
CREATE TABLE ${t.usage} (
  key_id        text COLLATE "C" NOT NULL,
  day           date NOT NULL,
  workspace_id  text COLLATE "C",
  count         bigint NOT NULL,
  CONSTRAINT ${quoteIdentifier(t.object('usage_pkey'))} PRIMARY KEY (key_id, day),
  CONSTRAINT ${quoteIdentifier(t.object('usage_count_check'))} CHECK (count >= 0)
);
CREATE INDEX ${quoteIdentifier(t.object('usage_ws_idx'))} ON ${t.usage} (workspace_id, day) WHERE workspace_id IS NOT NULL;
CREATE TABLE ${t.audit} (
  seq           bigint GENERATED ALWAYS AS IDENTITY,
  id            text COLLATE "C" NOT NULL,
  type          text NOT NULL,
  occurred_at   timestamptz NOT NULL,
  workspace_id  text COLLATE "C",
  key_id        text COLLATE "C",
  key_hint      text,
  actor         text,
  code          text,
  reason        text,
  ip            text,
  user_agent    text,
  count         bigint NOT NULL DEFAULT 1,
  details       jsonb NOT NULL DEFAULT '{}'::jsonb,
  CONSTRAINT ${quoteIdentifier(t.object('audit_pkey'))} PRIMARY KEY (seq),
  CONSTRAINT ${quoteIdentifier(t.object('audit_details_check'))} CHECK (jsonb_typeof(details) = 'object')
);
CREATE INDEX ${quoteIdentifier(t.object('audit_ws_idx'))} ON ${t.audit} (workspace_id, occurred_at, seq);
CREATE INDEX ${quoteIdentifier(t.object('audit_time_idx'))} ON ${t.audit} USING brin (occurred_at);
`,
  },
  {
    // Who created a key, read with the key (a listing stays one query); and the audit log of one
    // key, newest first, through its own index (the key filter of the management API's audit page).
    // Adding a nullable column without a default rewrites no row.
    version: 4,
    name: 'add created_by, index audit by key',
    sql: (t) => `
ALTER TABLE ${t.keys} ADD COLUMN created_by text COLLATE "C";
CREATE INDEX ${quoteIdentifier(t.object('audit_key_idx'))} ON ${t.audit} (workspace_id, key_id, occurred_at, seq) WHERE key_id IS NOT NULL;
`,
  },
  {
    // Keys that expire soon (`listExpiring`: expiry warnings, the dashboard), read in expiry order
    // from partial indexes that hold only the keys that will expire while still working: keys
    // without an expiry, revoked or rotated are not in them, so they stay small.
    version: 5,
    name: 'index keys by expiry',
    sql: (t) => `
CREATE INDEX ${quoteIdentifier(t.object('keys_expiring_idx'))} ON ${t.keys} (expires_at, id)
  WHERE expires_at IS NOT NULL AND revoked_at IS NULL AND rotated_to_id IS NULL;
CREATE INDEX ${quoteIdentifier(t.object('keys_ws_expiring_idx'))} ON ${t.keys} (workspace_id, expires_at, id)
  WHERE workspace_id IS NOT NULL AND expires_at IS NOT NULL AND revoked_at IS NULL AND rotated_to_id IS NULL;
`,
  },
  {
    // The counter identity of a key (its rate limits and quota), when not its own id: a rotated
    // key's successor inherits its predecessor's, so that a rotation resets no counter. A nullable
    // column without a default rewrites no row; NULL is the key's own id.
    version: 6,
    name: 'add counter_id',
    sql: (t) => `
ALTER TABLE ${t.keys} ADD COLUMN counter_id text COLLATE "C";
`,
  },
];

/** Options of {@link migrate}. */
export type MigrateOptions = PostgresConnection & {
  /** Schema of the tables; created when missing. @default 'public' */
  schema?: string;
  /** Prefix of the table and index names. @default 'keyward_' */
  tablePrefix?: string;
};

/** What {@link migrate} did. */
export interface MigrateResult {
  /** Versions applied by this call (empty when the schema was up to date). */
  readonly applied: number[];
  /** The schema version now in place. */
  readonly version: number;
}

/** Arbitrary first half of the advisory lock key: "KW". */
const LOCK_NAMESPACE = 0x4b57;

/**
 * Brings the schema up to date: creates the schema, the migrations table, and applies every
 * migration not applied yet, all in one transaction.
 *
 * Idempotent, and safe when several processes run it at once: the transaction takes
 * `pg_advisory_xact_lock` on the (schema, prefix) pair first, so the others wait and then find
 * nothing to do.
 *
 * @example
 * ```ts
 * await migrate({ connectionString: process.env.DATABASE_URL! });
 * ```
 * @throws {TypeError} / {RangeError} for invalid options; the database error when a step fails
 * (nothing of that run is applied then).
 */
export async function migrate(options: MigrateOptions): Promise<MigrateResult> {
  const schema = checkSchema(options?.schema ?? 'public');
  const prefix = checkTablePrefix(options?.tablePrefix ?? 'keyward_');
  const { pool, owned } = resolvePool(options, 'migrate', { max: 1 });
  try {
    const client = await pool.connect();
    try {
      return await migrateWith(client, tableNames(schema, prefix));
    } finally {
      client.release();
    }
  } finally {
    if (owned) await pool.end();
  }
}

async function migrateWith(client: PoolClient, names: TableNames): Promise<MigrateResult> {
  await client.query('BEGIN');
  try {
    await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_NAMESPACE, `${names.schema}.${names.prefix}`]);
    // CREATE SCHEMA IF NOT EXISTS needs the CREATE privilege even when the schema exists: ask first.
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [names.schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${quoteIdentifier(names.schema)}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${names.migrations} (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = new Set((await client.query<{ version: number }>(`SELECT version FROM ${names.migrations}`)).rows.map((r) => r.version));
    const applied: number[] = [];
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await client.query(migration.sql(names));
      await client.query(`INSERT INTO ${names.migrations} (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return { applied, version: Math.max(0, ...done, ...applied) };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw translateError(error);
  }
}
