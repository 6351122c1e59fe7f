import type { StoreCorruption } from '@keyward/core/testing';
import pg from 'pg';
import { postgresStore, type PostgresStore } from '@keyward/store-postgres';
import { inject } from 'vitest';

/** The PostgreSQL server of the test run (started by test/global-setup.ts, or DATABASE_URL). */
export function databaseUrl(): string {
  const url = inject('databaseUrl') || process.env.DATABASE_URL;
  if (!url) throw new Error('no PostgreSQL for the tests: run them with the root vitest config (globalSetup) or set DATABASE_URL');
  return url;
}

/** A schema name no other test uses. */
export function randomSchema(label = 't'): string {
  return `kw_${label}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

export function newPool(url = databaseUrl(), max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5000 });
  pool.on('error', () => undefined);
  return pool;
}

export async function waitUntil(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** A key row whose hash_version is NULL (the column's NOT NULL dropped by hand): a row the store cannot read. */
export const nullHashVersion: StoreCorruption<PostgresStore> = {
  name: 'a NULL hash_version',
  corrupt: async (store, key) => {
    await store.pool.query(`ALTER TABLE ${store.tables.keys} ALTER COLUMN hash_version DROP NOT NULL`);
    await store.pool.query(`UPDATE ${store.tables.keys} SET hash_version = NULL WHERE id = $1`, [key.id]);
    return async () => void (await store.pool.query(`UPDATE ${store.tables.keys} SET hash_version = $2 WHERE id = $1`, [key.id, key.hashVersion]));
  },
};

/** Stores on fresh, migrated schemas of one pool; `drop()` removes every schema made. */
export function schemaStores(pool: pg.Pool, label: string) {
  const schemas: string[] = [];
  return {
    async fresh(): Promise<PostgresStore> {
      const schema = randomSchema(label);
      schemas.push(schema);
      const store = postgresStore({ pool }, { schema });
      await store.migrate();
      return store;
    },
    async drop(): Promise<void> {
      for (const schema of schemas) await pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    },
  };
}
