import { createKeyward, idSecretFormat, prefixedFormat, type KeyStore } from '@keyward/core';
import type { StoredKey } from '@keyward/core/store';
import { memoryStore } from '@keyward/store-memory';

/**
 * The engines of the fixture app. The test process and this Next.js server are different
 * processes, so the keys cannot be handed over as objects: the test seeds a memory store with its
 * own engine (`describeAdapter` does), then passes the store's records — hashes and metadata, never
 * a plaintext key — with the engine settings in the `KEYWARD_FIXTURE` environment variable of
 * `next start`. Each runtime (Node and Edge run separate module instances) loads them here into a
 * memory store of its own: the same records, verified by the same code, over real HTTP.
 *
 * `process.env.KEYWARD_FIXTURE` is read literally so that Next.js exposes it to the Edge runtime.
 */
interface FixtureConfig {
  now: number;
  prefix: string;
  downStoreTimeout: number;
  /** `memoryStore().dump()` of the test's store. */
  keys: string;
  /** `edge`: the proxy rewrites the conformance routes to their Edge runtime twins. */
  mode: 'node' | 'edge';
}

const raw = process.env.KEYWARD_FIXTURE;
// `next build` imports the route modules with no fixture: an empty store then.
export const fixture: FixtureConfig = raw ? JSON.parse(raw) : { now: Date.now(), prefix: 'kw', downStoreTimeout: 100, keys: '[]', mode: 'node' };

const DATES = ['createdAt', 'updatedAt', 'expiresAt', 'revokedAt', 'sunsetAt', 'lastUsedAt'] as const;

function seededStore(): KeyStore {
  const store = memoryStore();
  for (const record of JSON.parse(fixture.keys) as Record<string, unknown>[]) {
    for (const field of DATES) if (typeof record[field] === 'string') record[field] = new Date(record[field] as string);
    // The memory store inserts synchronously (its promise only reports): ready before any request.
    void store.insert(record as unknown as StoredKey);
  }
  return store;
}

const format = [prefixedFormat({ prefix: fixture.prefix }), idSecretFormat()];
const now = () => fixture.now;

export const keyward = createKeyward({ store: seededStore(), format, now });

/** A store that never answers: the engine gives up after `storeTimeout` (503). */
const never = () => new Promise<never>(() => {});
export const downKeyward = createKeyward({
  store: { insert: never, findById: never, findByHash: never, list: never, update: never, delete: never, rotate: never },
  format,
  now,
  storeTimeout: fixture.downStoreTimeout,
  cache: false,
});

/** A store whose every call fails at once, like a refused connection: 503, never a pass. */
const refuse = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
export const failingKeyward = createKeyward({
  store: { insert: refuse, findById: refuse, findByHash: refuse, list: refuse, update: refuse, delete: refuse, rotate: refuse },
  format,
  now,
  cache: false,
});

/** What every route answers on success, as `describeAdapter` expects. */
export const body = (key: { id: string; workspaceId: string | null } | null | undefined) => ({
  keyId: key?.id ?? null,
  workspaceId: key?.workspaceId ?? null,
});
