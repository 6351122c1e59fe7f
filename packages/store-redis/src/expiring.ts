import type { ExpiringQuery } from '@keyward/core/store';
import { KeywardError, type ListPage, type StoredKey } from '@keyward/core/store';
import type { Cluster, Redis } from 'ioredis';
import { decodeKey, esc, workspaceTag } from './internal/codec.js';
import type { ScriptCaller } from './internal/connection.js';
import { REINDEX } from './internal/scripts.js';

/** A member of a group's expiry index (see `EXPIRY_PROLOGUE` in scripts.ts). */
interface Entry {
  readonly tag: string;
  readonly id: string;
  readonly score: number;
}

/** Redis orders members of one score by their bytes: so must every comparison here. */
function compareIds(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

const byExpiry = (a: Entry, b: Entry) => a.score - b.score || compareIds(a.id, b.id);

function decodeCursor(cursor: string): { ms: number; id: string } {
  const sep = typeof cursor === 'string' ? cursor.indexOf(':') : -1;
  const ms = sep > 0 ? Number(cursor.slice(0, sep)) : Number.NaN;
  if (!Number.isSafeInteger(ms) || !/^-?\d+$/.test(cursor.slice(0, sep)) || Math.abs(ms) > 8.64e15 || sep === cursor.length - 1) {
    throw new KeywardError('invalid_argument', { message: 'invalid cursor: pass the nextCursor of the previous page unchanged' });
  }
  return { ms, id: cursor.slice(sep + 1) };
}

function flatOf(object: Record<string, string>): string[] {
  const flat: string[] = [];
  for (const name of Object.keys(object)) flat.push(name, object[name]!);
  return flat;
}

/** What the store adds for expiring keys. */
export interface RedisExpiring {
  listExpiring(query: ExpiringQuery): Promise<ListPage<StoredKey>>;
  /** Before a write that gives a key of this group an expiry: lists the group for queries of every workspace. */
  noteGroup(tag: string): Promise<void>;
  rebuildExpiryIndex(): Promise<number>;
}

/**
 * `listExpiring` on Redis. Each group (workspace, or owner) keeps a ZSET of its expiring keys by
 * `expiresAt`, maintained by the scripts that write records (atomic, same slot). One workspace:
 * one range read of its ZSET, then the records. Every workspace: the groups that ever had an
 * expiring key are listed in a SET (`{expiring}groups`, written before the record, never removed),
 * and each group's ZSET is read — one range read per group, sent together: fine for a sweep, not
 * for a request path.
 */
export function redisExpiring(client: Redis | Cluster, prefix: string, call: ScriptCaller): RedisExpiring {
  const groups = `${prefix}{expiring}groups`;

  /** Up to `want` entries of one group after the cursor, in Redis order. */
  async function groupEntries(tag: string, query: ExpiringQuery, cursor: { ms: number; id: string } | null, want: number): Promise<Entry[]> {
    const index = `${prefix}${tag}x`;
    const afterMs = query.after.getTime();
    const atCursor = cursor !== null && cursor.ms > afterMs;
    const min = atCursor ? String(cursor!.ms) : `(${afterMs}`;
    const max = String(query.before.getTime());
    const out: Entry[] = [];
    let offset = 0;
    // Bounded: the members skipped are those of the cursor's own score, up to the cursor's id.
    for (let round = 0; round < 10_000 && out.length < want; round++) {
      const count = want - out.length + 16;
      const batch = await client.zrangebyscore(index, min, max, 'WITHSCORES', 'LIMIT', offset, count);
      for (let i = 0; i + 1 < batch.length && out.length < want; i += 2) {
        const id = batch[i]!;
        const score = Number(batch[i + 1]);
        if (atCursor && score === cursor!.ms && compareIds(id, cursor!.id) <= 0) continue;
        out.push({ tag, id, score });
      }
      offset += batch.length / 2;
      if (batch.length / 2 < count) break;
    }
    return out;
  }

  async function listExpiring(query: ExpiringQuery): Promise<ListPage<StoredKey>> {
    const limit = query.limit;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new KeywardError('invalid_argument', { message: 'limit must be an integer from 1 to 1000' });
    }
    const cursor = query.cursor === undefined ? null : decodeCursor(query.cursor);
    const tags = query.workspaceId !== undefined ? [workspaceTag(query.workspaceId)] : await client.smembers(groups);
    const entries = (await Promise.all(tags.map((tag) => groupEntries(tag, query, cursor, limit + 1)))).flat().sort(byExpiry);
    const candidates = entries.slice(0, limit + 1);
    const page = candidates.slice(0, limit);
    const records = await Promise.all(page.map((e) => client.hgetall(`${prefix}${e.tag}k:${esc(e.id)}`)));
    const items: StoredKey[] = [];
    for (let i = 0; i < page.length; i++) {
      const record = decodeKey(flatOf(records[i]!));
      const e = page[i]!;
      // The index is kept with the record, but a read checks anyway (a record changed by hand).
      if (record === null || record.id !== e.id || record.expiresAt?.getTime() !== e.score) continue;
      if (record.revokedAt !== null || record.rotatedToId !== null) continue;
      if (query.workspaceId !== undefined && record.workspaceId !== query.workspaceId) continue;
      items.push(record);
    }
    const last = page[page.length - 1];
    return { items, nextCursor: candidates.length > limit && last !== undefined ? `${last.score}:${last.id}` : null };
  }

  /** The masters to SCAN: the server, or every master of a Cluster. */
  function nodes(): Redis[] {
    return client.isCluster ? (client as Cluster).nodes('master') : [client as Redis];
  }

  return {
    listExpiring,
    async noteGroup(tag) {
      await client.sadd(groups, tag);
    },
    async rebuildExpiryIndex() {
      let records = 0;
      const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}{*}k:*`;
      for (const node of nodes()) {
        let cursor = '0';
        do {
          const [next, keys] = await node.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
          cursor = next;
          for (const key of keys) {
            const found = await call(REINDEX, [key], []);
            if (found === 0) continue;
            records++;
            if (found === 2) await client.sadd(groups, key.slice(prefix.length, key.indexOf('}', prefix.length) + 1));
          }
        } while (cursor !== '0');
      }
      return records;
    },
  };
}
