import { postgresStore, type PostgresStore, type PostgresStoreOptions } from '../store.js';
import { openDataDir, type OpenDataDir } from './data-dir.js';

/** Options of {@link embeddedStore}. */
export interface EmbeddedStoreOptions extends PostgresStoreOptions {
  /**
   * The directory of the data, created when missing: PostgreSQL's files go to `<dir>/pgdata`, the
   * owner's lock to `<dir>/keyward.lock`. Keep it out of the web root and out of version control.
   * @example '.keyward'
   */
  dir: string;
}

/** A key store on PostgreSQL inside this process, persisted to a directory. */
export interface EmbeddedStore extends PostgresStore {
  /** The data directory (absolute, symlinks resolved). */
  readonly dir: string;
  /**
   * Closes the store. The last store of the directory in this process also closes PostgreSQL and
   * gives the directory back (another process may open it then).
   */
  close(): Promise<void>;
}

/** What the invalidation bus needs of a store: its directory's one connection. */
const internals = new WeakMap<EmbeddedStore, OpenDataDir>();

/** The open directory behind `store`. @internal */
export function dataDirOf(store: EmbeddedStore): OpenDataDir {
  const open = internals.get(store);
  if (open === undefined) throw new TypeError('embeddedInvalidation needs a store made by embeddedStore()');
  return open;
}

/**
 * The persistent embedded default: PostgreSQL compiled to WebAssembly (PGlite) running inside your
 * process and persisting to `dir`, with the schema, migrations and SQL of {@link postgresStore} —
 * no server to install, and keys that survive restarts. Moving up to a PostgreSQL server later is a
 * change of connection (`keyward export` / `keyward import` carry the data over).
 *
 * It opens the directory (the first time: creates its database, a few seconds), applies the
 * migrations, and resolves when ready. **One process owns the directory**: a second process gets
 * a `DataDirInUseError`; stores on the same directory in one process share its database (use
 * `schema` or `tablePrefix` to keep them apart). Needs the optional peer dependency
 * `@electric-sql/pglite`.
 *
 * @example
 * ```ts
 * import { createKeyward } from '@keyward/core';
 * import { embeddedStore } from '@keyward/store-postgres/embedded';
 *
 * const store = await embeddedStore({ dir: '.keyward' });
 * const keyward = createKeyward({ store });
 * ```
 * @throws {DataDirInUseError} when another process has the directory open; {TypeError} without a
 * `dir`; {RangeError} for an invalid schema or prefix.
 */
export async function embeddedStore(options: EmbeddedStoreOptions): Promise<EmbeddedStore> {
  if (!options || typeof options !== 'object') throw new TypeError('embeddedStore needs { dir }: the directory of its data, e.g. ".keyward"');
  const open = await openDataDir(options.dir);
  try {
    const store = postgresStore({ pool: open.connection.pool }, { schema: options.schema, tablePrefix: options.tablePrefix });
    // No deploy step to run them from, and no other process to race with: migrate on open.
    await store.migrate();
    let closed: Promise<void> | null = null;
    const embedded: EmbeddedStore = {
      ...store,
      dir: open.dir,
      close() {
        closed ??= open.release();
        return closed;
      },
    };
    internals.set(embedded, open);
    return embedded;
  } catch (error) {
    await open.release();
    throw error;
  }
}
