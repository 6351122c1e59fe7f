import {
  expiringPage,
  KeywardError,
  type AuditStore,
  type CounterStore,
  type ExpiringQuery,
  type KeyPatch,
  type KeyStore,
  type KeyTouch,
  type ListPage,
  type ListQuery,
  type RotateInput,
  type StoredKey,
  type UsageStore,
} from '@keyward/core/store';
import { memoryAuditLog } from './audit.js';
import { memoryUsageCounts } from './usage.js';
import { memoryCounters } from './counters.js';

/** Options of {@link memoryStore}. */
export interface MemoryStoreOptions {
  /** Refuse inserts past this many keys (a guard for demos exposed to the public). @default Infinity */
  maxKeys?: number;
  /** Audit events kept; the oldest are dropped beyond it. @default 10000 */
  maxAuditEvents?: number;
}

/** A memory store, with a way to look at what it holds (for tests). */
export interface MemoryStore extends KeyStore, UsageStore, AuditStore, CounterStore {
  /** Answers synchronously: no promise on the hot path. */
  findById(id: string): StoredKey | null;
  /** Answers synchronously: no promise on the hot path. */
  findByHash(hash: string): StoredKey | null;
  /** Keys that expire soon, soonest first (see `KeyStore.listExpiring`). */
  listExpiring(query: ExpiringQuery): Promise<ListPage<StoredKey>>;
  /** Number of keys held. */
  readonly size: number;
  /** Every stored record as JSON, exactly what the store keeps. For tests and debugging. */
  dump(): string;
  /** Number of audit events held. */
  readonly auditSize: number;
  /** Every audit event held, as JSON. For tests and debugging. */
  dumpAudit(): string;
}

const byOrder = (a: StoredKey, b: StoredKey) => a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function encodeCursor(key: StoredKey): string {
  return `${key.createdAt.getTime()}:${key.id}`;
}

/** A date in ms, as a cursor writes it: an integer a `Date` holds. */
const CURSOR_MS_RE = /^-?\d{1,16}$/;

function decodeCursor(cursor: string): { t: number; id: string } {
  const sep = cursor.indexOf(':');
  const text = cursor.slice(0, sep);
  const t = Number(text);
  if (sep < 1 || !CURSOR_MS_RE.test(text) || Math.abs(t) > 8.64e15 || sep === cursor.length - 1) {
    throw new KeywardError('invalid_argument', { message: 'invalid cursor: pass the nextCursor of the previous page unchanged' });
  }
  return { t, id: cursor.slice(sep + 1) };
}

/**
 * Keeps keys in a `Map`: the embedded default, with lookups answered synchronously. Records are
 * frozen and replaced on every change, never mutated, so a record handed out stays as it was.
 * Everything is lost when the process ends: use `@keyward/store-postgres` or
 * `@keyward/store-redis` to keep keys.
 */
export function memoryStore(options: MemoryStoreOptions = {}): MemoryStore {
  const maxKeys = options.maxKeys ?? Number.POSITIVE_INFINITY;
  const maxAuditEvents = options.maxAuditEvents ?? 10_000;
  if (!Number.isInteger(maxAuditEvents) || maxAuditEvents < 1) throw new RangeError('maxAuditEvents must be a positive integer');
  const byId = new Map<string, StoredKey>();
  const byHash = new Map<string, StoredKey>();

  const freeze = (key: StoredKey): StoredKey =>
    Object.freeze({
      ...key,
      scopes: Object.freeze([...key.scopes]),
      metadata: Object.freeze(structuredClone(key.metadata)),
      createdBy: key.createdBy ?? null,
      counterId: key.counterId ?? null,
    });

  function put(key: StoredKey): StoredKey {
    const frozen = freeze(key);
    byId.set(frozen.id, frozen);
    byHash.set(frozen.hash, frozen);
    return frozen;
  }

  function insertNow(key: StoredKey): void {
    if (byId.has(key.id)) throw new KeywardError('conflict', { message: 'a key with this id exists', keyId: key.id });
    if (byHash.has(key.hash)) throw new KeywardError('conflict', { message: 'a key with this hash exists' });
    if (byId.size >= maxKeys) throw new KeywardError('conflict', { message: `the memory store is full (${maxKeys} keys)` });
    put(key);
  }

  function updateNow(id: string, patch: KeyPatch): StoredKey | null {
    const current = byId.get(id);
    if (!current) return null;
    const next = { ...current, ...patch };
    if (next.hash !== current.hash) {
      if (byHash.has(next.hash)) throw new KeywardError('conflict', { message: 'a key with this hash exists' });
      byHash.delete(current.hash);
    }
    return put(next);
  }

  const audit = memoryAuditLog(maxAuditEvents);
  const usage = memoryUsageCounts();
  const counters = memoryCounters();

  return {
    local: true,
    system: 'memory',
    get size() {
      return byId.size;
    },
    get auditSize() {
      return audit.auditSize;
    },
    dumpAudit: audit.dumpAudit,
    appendAudit: audit.appendAudit,
    readAudit: audit.readAudit,
    consumeCounters: counters.consumeCounters,
    addUsage: usage.addUsage,
    readUsage: usage.readUsage,
    async touchKeys(touches: readonly KeyTouch[]) {
      for (const { keyId, at } of touches) {
        const current = byId.get(keyId);
        // lastUsedAt only moves forward; updatedAt stays (a use is not a change of the key).
        if (current && (current.lastUsedAt === null || current.lastUsedAt < at)) put({ ...current, lastUsedAt: new Date(at.getTime()) });
      }
    },
    dump: () => JSON.stringify([...byId.values()]),
    async insert(key) {
      insertNow(key);
    },
    findById: (id) => byId.get(id) ?? null,
    findByHash: (hash) => byHash.get(hash) ?? null,
    // A walk over every key: fine in memory (list does the same); the other stores use an index.
    listExpiring: async (query) => expiringPage(byId.values(), query),
    async list(query: ListQuery): Promise<ListPage<StoredKey>> {
      const limit = query.limit ?? 100;
      const after = query.cursor === undefined ? null : decodeCursor(query.cursor);
      const matches = [...byId.values()]
        .filter(
          (k) =>
            (query.workspaceId === undefined || k.workspaceId === query.workspaceId) &&
            (query.ownerId === undefined || k.ownerId === query.ownerId) &&
            (query.includeRevoked !== false || k.revokedAt === null) &&
            (after === null || k.createdAt.getTime() > after.t || (k.createdAt.getTime() === after.t && k.id > after.id)),
        )
        .sort(byOrder);
      const items = matches.slice(0, limit);
      return { items, nextCursor: matches.length > limit ? encodeCursor(items[items.length - 1]!) : null };
    },
    async update(id, patch) {
      return updateNow(id, patch);
    },
    async delete(id) {
      const current = byId.get(id);
      if (!current) return null;
      byId.delete(id);
      byHash.delete(current.hash);
      return current;
    },
    async rotate(input: RotateInput): Promise<StoredKey> {
      // Synchronous from check to write: nothing else runs in between, so the rotation is atomic.
      const old = byId.get(input.oldId);
      if (!old) throw new KeywardError('not_found', { keyId: input.oldId });
      if (old.revokedAt !== null || old.rotatedToId !== null) {
        throw new KeywardError('conflict', { message: 'this key was revoked or rotated already', keyId: input.oldId });
      }
      insertNow(input.successor);
      const patch: KeyPatch & { rotatedToId: string } = { updatedAt: input.now, rotatedToId: input.successor.id };
      return put({
        ...old,
        ...patch,
        ...(input.revokeOld ? { revokedAt: input.now } : {}),
        ...(input.oldExpiresAt !== undefined ? { expiresAt: input.oldExpiresAt } : {}),
      });
    },
  };
}
