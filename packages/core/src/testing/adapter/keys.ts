import { createKeyward, idSecretFormat, KeywardError, type Keyward, type KeyStore, prefixedFormat, sha256Hasher } from '../../index.js';
import type { StoredKey } from '../../store/index.js';
import type { SuiteEngineOptions } from '../engine-options.js';

/** The engine's clock during the suite. */
export const NOW = Date.UTC(2026, 10, 22, 12, 0, 0);
const DAY = 86_400_000;
export const LEGACY_CREATED = new Date(Date.UTC(2020, 0, 1));
export const LEGACY_SUNSET = new Date(NOW + 30 * DAY);

/** How both engines of the suite are configured (see `AdapterHarness.engine`). */
export const ENGINE = Object.freeze({ now: NOW, prefix: 'kw', downStoreTimeout: 100 });

/** The keys the suite seeds, and the ids the handlers must see. */
export interface Seeded {
  valid: string;
  validId: string;
  writer: string;
  writerId: string;
  other: string;
  revoked: string;
  expired: string;
  legacy: string;
  legacyId: string;
  legacySunset: string;
  unknown: string;
  badChecksum: string;
}

/** A store in a few lines, enough for the suite (core must not depend on a store package). */
export function suiteStore(): KeyStore {
  const byId = new Map<string, StoredKey>();
  const byHash = new Map<string, StoredKey>();
  const put = (k: StoredKey) => {
    byId.set(k.id, k);
    byHash.set(k.hash, k);
    return k;
  };
  return {
    local: true,
    async insert(k) {
      if (byId.has(k.id) || byHash.has(k.hash)) throw new KeywardError('conflict');
      put(k);
    },
    findById: (id) => byId.get(id) ?? null,
    findByHash: (hash) => byHash.get(hash) ?? null,
    async list(q) {
      const items = [...byId.values()].filter((k) => (q.workspaceId !== undefined ? k.workspaceId === q.workspaceId : k.ownerId === q.ownerId));
      return { items, nextCursor: null };
    },
    async update(id, patch) {
      const current = byId.get(id);
      if (!current) return null;
      byHash.delete(current.hash);
      return put({ ...current, ...patch });
    },
    async delete(id) {
      const current = byId.get(id) ?? null;
      if (current) {
        byId.delete(id);
        byHash.delete(current.hash);
      }
      return current;
    },
    async rotate() {
      throw new Error('rotate is not used by describeAdapter');
    },
  };
}

/** A store that never answers: the engine must give up after `storeTimeout` with a 503. */
function hangingStore(): KeyStore {
  const never = () => new Promise<never>(() => {});
  return { insert: never, findById: never, findByHash: never, list: never, update: never, delete: never, rotate: never };
}

/** The two engines of the suite, and every key it sends, seeded in `store`. */
export async function seedEngines(
  store: KeyStore,
  extra: SuiteEngineOptions = {},
): Promise<{ keyward: Keyward; downKeyward: Keyward; keys: Seeded }> {
  const formats = [prefixedFormat({ prefix: ENGINE.prefix }), idSecretFormat()];
  const now = () => NOW;
  const keyward = createKeyward({ ...extra, store, format: formats, now });
  const downKeyward = createKeyward({ ...extra, store: hangingStore(), format: formats, now, storeTimeout: ENGINE.downStoreTimeout, cache: false });

  const valid = await keyward.create({ workspaceId: 'ws_a', name: 'valid', scopes: ['notes:read'] });
  const writer = await keyward.create({ workspaceId: 'ws_a', name: 'writer', scopes: ['notes:read', 'notes:write'] });
  const other = await keyward.create({ workspaceId: 'ws_b', name: 'other', scopes: ['notes:write'] });
  const revoked = await keyward.create({ workspaceId: 'ws_a', name: 'revoked', scopes: ['notes:write'] });
  await keyward.revoke(revoked.record.id);
  const expired = await keyward.create({ workspaceId: 'ws_a', name: 'expired', expiresAt: new Date(NOW - 1000) });
  const sha256 = sha256Hasher();
  const legacyKey = async (sunsetAt: Date) => {
    const key = formats[0]!.generate().key;
    const record = await keyward.import({
      legacy: true,
      ownerId: 'user_1',
      hash: sha256.hash(key),
      hint: key.slice(-4),
      name: 'legacy',
      sunsetAt,
      createdAt: LEGACY_CREATED,
    });
    return { key, record };
  };
  const legacy = await legacyKey(LEGACY_SUNSET);
  const legacySunset = await legacyKey(new Date(NOW - DAY));
  const last = valid.key.at(-1)!;
  const keys: Seeded = {
    valid: valid.key,
    validId: valid.record.id,
    writer: writer.key,
    writerId: writer.record.id,
    other: other.key,
    revoked: revoked.key,
    expired: expired.key,
    legacy: legacy.key,
    legacyId: legacy.record.id,
    legacySunset: legacySunset.key,
    unknown: formats[0]!.generate().key,
    badChecksum: valid.key.slice(0, -1) + (last === 'A' ? 'B' : 'A'),
  };
  return { keyward, downKeyward, keys };
}
