import type { ExpiringQuery, ListPage, StoredKey } from '../store/types.js';
import { invalidArgument } from './checks.js';

/**
 * Pages of expiring keys out of keys at hand, for the stores that filter in code (the memory store)
 * and for the engine's fallback on a store without `listExpiring`.
 */

/** Whether a stored key belongs in an {@link ExpiringQuery}'s answer. Shared by the stores that filter in code. */
export function isExpiringIn(key: StoredKey, query: Pick<ExpiringQuery, 'after' | 'before' | 'workspaceId'>): boolean {
  if (key.expiresAt === null || key.revokedAt !== null || key.rotatedToId !== null) return false;
  if (query.workspaceId !== undefined && key.workspaceId !== query.workspaceId) return false;
  const t = key.expiresAt.getTime();
  return t > query.after.getTime() && t <= query.before.getTime();
}

/** Order of {@link KeyStore.listExpiring}: `expiresAt`, then `id`. */
export function byExpiry(a: StoredKey, b: StoredKey): number {
  return a.expiresAt!.getTime() - b.expiresAt!.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/** The cursor of an expiring listing in code: `<expiresAt ms>:<id>`. */
export function expiryCursor(key: StoredKey): string {
  return `${key.expiresAt!.getTime()}:${key.id}`;
}

/**
 * One page of expiring keys out of keys in memory (filtered, sorted, after the cursor): the memory
 * store and the fallback use it.
 * @throws {KeywardError} `invalid_argument` for a cursor that is not `<ms>:<id>`.
 */
export function expiringPage(keys: Iterable<StoredKey>, query: ExpiringQuery): ListPage<StoredKey> {
  let after: { t: number; id: string } | null = null;
  if (query.cursor !== undefined) {
    const sep = query.cursor.indexOf(':');
    const text = query.cursor.slice(0, sep);
    const t = Number(text);
    if (sep < 1 || !/^-?\d{1,16}$/.test(text) || Math.abs(t) > 8.64e15 || sep === query.cursor.length - 1) {
      throw invalidArgument('invalid cursor: pass the nextCursor of the previous page unchanged');
    }
    after = { t, id: query.cursor.slice(sep + 1) };
  }
  const matches: StoredKey[] = [];
  for (const key of keys) {
    if (!isExpiringIn(key, query)) continue;
    const t = key.expiresAt!.getTime();
    if (after !== null && (t < after.t || (t === after.t && key.id <= after.id))) continue;
    matches.push(key);
  }
  matches.sort(byExpiry);
  const items = matches.slice(0, query.limit);
  return { items, nextCursor: matches.length > query.limit ? expiryCursor(items[items.length - 1]!) : null };
}
