import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { Notification, Pool, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { PGliteConnection } from './pglite-connection.js';

/**
 * The one connection of an embedded PostgreSQL, offered as the part of a `pg.Pool` that the store
 * uses (`query`, `connect` → `query` / `release`), so the store runs its own code and SQL on it.
 *
 * Underneath is one real `pg.Client` on PGlite's wire protocol ({@link PGliteConnection}): the same
 * type parsers, named statements and errors as against a server. PGlite is one session, so this serializes:
 * one statement at a time in arrival order, and while a caller holds the connection (a
 * transaction: rotate, counters, migrations) everyone else waits for `release()`. Without that,
 * another caller's statement would run inside that transaction.
 */
export interface SingleConnection {
  /** Pool-shaped: what `postgresStore`, `migrate` and the shared SQL modules are given. */
  readonly pool: Pool;
  /** Runs `listener` for every notification of the session (LISTEN / NOTIFY within the process). */
  onNotification(listener: (message: Notification) => void): () => void;
  /** Waits for what runs, then closes the client (not PGlite). */
  end(): Promise<void>;
}

type Release = (error?: Error | boolean) => void;

export async function singleConnection(pglite: PGlite): Promise<SingleConnection> {
  const client = new pg.Client({ user: 'postgres', database: 'postgres', connection: new PGliteConnection(pglite) } as unknown as pg.ClientConfig);
  // Nothing can drop this connection, but an unheard 'error' would end the process.
  client.on('error', () => undefined);
  await client.connect();
  const listeners = new Set<(message: Notification) => void>();
  client.on('notification', (message) => {
    for (const listener of listeners) {
      try {
        listener(message);
      } catch {
        // One failing listener must not keep the notification from the others.
      }
    }
  });

  let busy = false;
  let ended = false;
  const waiting: (() => void)[] = [];
  const acquire = (): Promise<void> => {
    if (ended) return Promise.reject(new Error('the embedded store was closed'));
    if (!busy) {
      busy = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => waiting.push(resolve));
  };
  const next = (): void => {
    const first = waiting.shift();
    if (first) first();
    else busy = false;
  };

  function query<R extends QueryResultRow>(config: string | QueryConfig, values?: unknown[]): Promise<QueryResult<R>> {
    // The connection is given back whatever happens, a synchronous throw of pg included.
    const run = (): Promise<QueryResult<R>> => {
      let pending: Promise<QueryResult<R>>;
      try {
        pending = typeof config === 'string' ? client.query<R>(config, values) : client.query<R>(config);
      } catch (error) {
        next();
        return Promise.reject(error);
      }
      return pending.finally(next);
    };
    // The hot path (a verify's lookup on an idle connection) skips the queue's promise.
    if (!busy && !ended) {
      busy = true;
      return run();
    }
    return acquire().then(run);
  }

  async function connect(): Promise<{ query: typeof query; release: Release }> {
    await acquire();
    let released = false;
    return {
      // Once released (a holder that gave up, say), a late statement of the holder must not run
      // after the ROLLBACK, outside its transaction: it fails instead.
      query: (config: string | QueryConfig, values?: unknown[]) =>
        released
          ? (Promise.reject(new Error('this connection was released')) as never)
          : ((typeof config === 'string' ? client.query(config, values) : client.query(config)) as never),
      release: (error?: Error | boolean) => {
        if (released) return;
        released = true;
        // A server connection released with an error is destroyed; this one is the only one, so
        // it is put back in a clean state instead: no transaction may outlive its holder.
        if (error || pglite.isInTransaction()) client.query('ROLLBACK').then(next, next);
        else next();
      },
    };
  }

  const pool = {
    query,
    connect,
    on: () => pool,
    end: () => Promise.resolve(),
  } as unknown as Pool;

  return {
    pool,
    onNotification(listener) {
      listeners.add(listener);
      return () => void listeners.delete(listener);
    },
    async end() {
      await acquire().catch(() => undefined);
      ended = true;
      await client.end().catch(() => undefined);
      for (const resolve of waiting.splice(0)) resolve();
    },
  };
}
