import { closeSync, fsyncSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/** The name of the lock file inside the data directory. */
export const LOCK_FILE = 'keyward.lock';

interface LockContent {
  pid: number;
  host: string;
  since: string;
}

/** Thrown when another process owns the data directory. */
export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
  /** The process that holds the directory, as its lock file says. */
  readonly pid: number;

  constructor(dir: string, owner: LockContent) {
    super(
      `the embedded store's data directory ${dir} is in use by process ${owner.pid} on ${owner.host} (since ${owner.since}): ` +
        'one process owns it. Stop that process first; for several processes, move to a PostgreSQL server (keyward export / import). ' +
        `If no such process runs any more, delete ${join(dir, LOCK_FILE)}.`,
    );
    this.pid = owner.pid;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, it is only not ours to signal.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A lock with our own pid was left by an earlier process that had the same pid (a container's
 * pid 1 after a restart) when it is older than this process; a newer one is another thread of
 * this process holding the directory.
 */
function writtenBeforeWeStarted(owner: LockContent): boolean {
  const since = Date.parse(owner.since);
  return Number.isFinite(since) && since < Date.now() - process.uptime() * 1000;
}

function read(path: string): LockContent | null {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<LockContent>;
    return Number.isInteger(value.pid) && typeof value.host === 'string'
      ? { pid: value.pid!, host: value.host, since: String(value.since ?? '?') }
      : null;
  } catch {
    return null;
  }
}

/**
 * Takes the data directory for this process, the way PostgreSQL takes its own with
 * `postmaster.pid`: a lock file created with O_EXCL that names the owner. A lock left by a
 * process that died (`kill -9`, a crash) is taken over once its pid is gone.
 *
 * @returns the function that gives the directory back.
 * @throws {DataDirInUseError} when a live process (or one on another host, which cannot be
 * checked) holds it.
 */
export function lockDataDir(dir: string): () => void {
  const path = join(dir, LOCK_FILE);
  const mine: LockContent = { pid: process.pid, host: hostname(), since: new Date().toISOString() };
  for (let attempt = 0; attempt < 10; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = read(path);
      // A file being written this very moment reads as garbage: look again.
      if (owner === null) {
        if (attempt < 9) continue;
        throw new Error(`the lock file ${path} is not readable; if no process uses ${dir}, delete it`);
      }
      const stale = owner.host === mine.host && (owner.pid === process.pid ? writtenBeforeWeStarted(owner) : !alive(owner.pid));
      if (!stale) throw new DataDirInUseError(dir, owner);
      try {
        unlinkSync(path);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
      continue;
    }
    try {
      writeSync(fd, JSON.stringify(mine));
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      // Only our own lock: never delete one that a successor wrote.
      if (read(path)?.pid === mine.pid) unlinkSync(path);
    };
  }
  throw new Error(`could not take the lock file ${path}: it keeps changing; is another process starting on ${dir}?`);
}
