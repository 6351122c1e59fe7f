import pg from 'pg';
import type { Pool, PoolConfig } from 'pg';

/**
 * How a store, `migrate` or the invalidation bus reaches PostgreSQL: a `pg.Pool` you own (Keyward
 * never ends it), or a connection string (Keyward creates the pool and ends it on `close()`).
 */
export type PostgresConnection =
  | {
      /** A node-postgres pool. Keyward uses it and leaves ending it to you. */
      pool: Pool;
      connectionString?: never;
    }
  | {
      /** `postgres://user:password@host:5432/db`: Keyward creates a pool and ends it on `close()`. */
      connectionString: string;
      /** Extra settings of the pool Keyward creates (`max`, `ssl`, …). */
      poolConfig?: Omit<PoolConfig, 'connectionString'>;
      pool?: never;
    };

/** A pool to use, and whether it is ours to end. */
export interface ResolvedPool {
  readonly pool: Pool;
  readonly owned: boolean;
}

function isPool(value: unknown): value is Pool {
  return typeof value === 'object' && value !== null && typeof (value as Pool).query === 'function' && typeof (value as Pool).connect === 'function';
}

/**
 * @throws {TypeError} when neither a pool nor a connection string is given.
 */
export function resolvePool(connection: PostgresConnection | undefined, what: string, defaults: PoolConfig = {}): ResolvedPool {
  if (!connection || typeof connection !== 'object') {
    throw new TypeError(`${what} needs { pool } (a pg.Pool) or { connectionString }`);
  }
  if (connection.pool !== undefined) {
    if (!isPool(connection.pool)) throw new TypeError(`${what}: pool must be a pg.Pool (new Pool({ connectionString }))`);
    return { pool: connection.pool, owned: false };
  }
  if (typeof connection.connectionString !== 'string' || connection.connectionString.length === 0) {
    throw new TypeError(`${what} needs { pool } (a pg.Pool) or { connectionString: 'postgres://…' }`);
  }
  const pool = new pg.Pool({
    // A stopped server must fail fast (store_unavailable), not queue requests forever.
    connectionTimeoutMillis: 5000,
    query_timeout: 10_000,
    idleTimeoutMillis: 30_000,
    keepAlive: true,
    ...defaults,
    ...connection.poolConfig,
    connectionString: connection.connectionString,
  });
  // An idle client whose server went away emits 'error' on the pool; unheard, it would crash the
  // process. The pool drops that client by itself, and the next query reports the failure.
  pool.on('error', () => undefined);
  return { pool, owned: true };
}
