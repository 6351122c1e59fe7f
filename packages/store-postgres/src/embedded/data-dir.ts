import { PGlite } from '@electric-sql/pglite';
import { existsSync, mkdirSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { lockDataDir } from './data-dir-lock.js';
import { singleConnection, type SingleConnection } from './single-connection.js';

/** PostgreSQL's own files, inside the directory the user names (which also holds the lock). */
export const PGDATA = 'pgdata';

/** One opened data directory: its PostgreSQL, its one connection, and who uses it. */
export interface OpenDataDir {
  readonly dir: string;
  readonly connection: SingleConnection;
  /** Channels this session LISTENs on (never UNLISTENed before close: several buses may share one). */
  readonly listening: Set<string>;
  /** Gives one use back; the last one closes PostgreSQL and the lock. */
  release(): Promise<void>;
}

interface Entry {
  opening: Promise<{ pglite: PGlite; connection: SingleConnection; unlock: () => void }>;
  users: number;
  listening: Set<string>;
}

/**
 * Directories open in this process. One process owns a directory (the lock file); inside it,
 * every store on the directory shares its one PostgreSQL, since two PGlite instances on the same
 * files would corrupt them just as two processes would.
 */
const open = new Map<string, Entry>();
/** Directories being closed: opening one again waits for its lock to be given back. */
const closing = new Map<string, Promise<void>>();

async function start(dir: string): Promise<{ pglite: PGlite; connection: SingleConnection; unlock: () => void }> {
  const unlock = lockDataDir(dir);
  let pglite: PGlite | undefined;
  try {
    const data = join(dir, PGDATA);
    if (!existsSync(join(data, 'PG_VERSION'))) {
      if (existsSync(data)) {
        throw new Error(`${data} exists but holds no PostgreSQL data directory; move it away, or pick another dir`);
      }
      // initdb writes many files: into a side directory, renamed when complete, so that a crash
      // during the first start leaves nothing that looks like a database.
      const init = join(dir, `${PGDATA}.init`);
      rmSync(init, { recursive: true, force: true });
      const fresh = new PGlite(init);
      await fresh.waitReady;
      await fresh.close();
      renameSync(init, data);
    }
    pglite = new PGlite(data);
    await pglite.waitReady;
    return { pglite, connection: await singleConnection(pglite), unlock };
  } catch (error) {
    await pglite?.close().catch(() => undefined);
    unlock();
    throw error;
  }
}

/**
 * Opens `dir` (creating it and its database on first use), or shares it when this process has it
 * open already.
 * @throws {DataDirInUseError} when another process owns it.
 */
export async function openDataDir(path: string): Promise<OpenDataDir> {
  if (typeof path !== 'string' || path.length === 0) throw new TypeError('embeddedStore needs { dir }: the directory of its data, e.g. ".keyward"');
  mkdirSync(resolve(path), { recursive: true });
  const dir = realpathSync(resolve(path));
  await closing.get(dir);
  let entry = open.get(dir);
  if (entry === undefined) {
    entry = { opening: start(dir), users: 0, listening: new Set() };
    open.set(dir, entry);
    const created = entry;
    created.opening.catch(() => {
      if (open.get(dir) === created) open.delete(dir);
    });
  }
  entry.users++;
  let opened: Awaited<Entry['opening']>;
  try {
    opened = await entry.opening;
  } catch (error) {
    entry.users--;
    throw error;
  }
  const current = entry;
  let released = false;
  return {
    dir,
    connection: opened.connection,
    listening: current.listening,
    async release() {
      if (released) return;
      released = true;
      if (--current.users > 0) return;
      open.delete(dir);
      const done = (async () => {
        await opened.connection.end();
        try {
          await opened.pglite.close();
        } finally {
          opened.unlock();
          closing.delete(dir);
        }
      })();
      closing.set(dir, done);
      await done;
    },
  };
}
