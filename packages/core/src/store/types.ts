/** A value or a promise of it: the memory store answers synchronously, network stores do not. */
export type Awaitable<T> = T | PromiseLike<T>;

/**
 * An API key as a store keeps it. The plaintext key is never part of it: only `hash` (a hex digest
 * made by the hasher named in `hashVersion`) and the display `hint`.
 */
export interface StoredKey {
  /** Unique id. For `id` formats it is the public id inside the key. */
  readonly id: string;
  /** The workspace the key belongs to; `null` only for legacy keys that belong to an owner. */
  readonly workspaceId: string | null;
  /** The account that owns a legacy personal key (it reaches every workspace of that owner). */
  readonly ownerId: string | null;
  readonly name: string;
  /** Name of the key format that made (or parses) the key. */
  readonly format: string;
  readonly environment: string | null;
  readonly scopes: readonly string[];
  /** The public start of the key (`tipar_live_`, or `abc123.` for id formats), for display. */
  readonly prefix: string;
  /** The last 4 characters of the key, for display. Not enough to use the key. */
  readonly hint: string;
  /** Lowercase hex digest of the secret. */
  readonly hash: string;
  /** The hasher that made `hash`: `sha256`, `hmac-sha256:v1`, … */
  readonly hashVersion: string;
  /** A legacy key: imported only; works until its sunset, then refused. */
  readonly legacy: boolean;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
  /** For legacy keys: the date after which the key is refused (RFC 8594 `Sunset`). */
  readonly sunsetAt: Date | null;
  /** Set once when the key is rotated: the id of its successor. A key is rotated at most once. */
  readonly rotatedToId: string | null;
  readonly lastUsedAt: Date | null;
  readonly metadata: Readonly<Record<string, unknown>>;
  /**
   * Who created the key: the `actor` of `create` (for a rotated key's successor, of `rotate`; for
   * an imported key, of `import`), so that a listing shows it without reading the audit log.
   * Stores keep it as given and return `null` when it was not given. Optional so that stores
   * written before it keep compiling; every store of `@keyward/*` keeps it.
   */
  readonly createdBy?: string | null;
  /**
   * The id its rate limits and quota count under, when not its own: a rotated key's successor
   * inherits its predecessor's (`counterId`, else `id`), so that a rotation resets no counter and
   * the old and the new key share them during a grace period. `null` (or absent): its own `id`.
   * Stores keep it as given. Optional so that stores written before it keep compiling; every store
   * of `@keyward/*` keeps it.
   */
  readonly counterId?: string | null;
}

/** The fields a lifecycle update may change. */
export type KeyPatch = Partial<
  Pick<StoredKey, 'name' | 'scopes' | 'expiresAt' | 'revokedAt' | 'metadata' | 'hash' | 'hashVersion' | 'lastUsedAt'>
> & { readonly updatedAt: Date };

/** A page of a listing. */
export interface ListQuery {
  /** Keys of one workspace. */
  workspaceId?: string;
  /** Keys of one owner (legacy personal keys). */
  ownerId?: string;
  /** Include revoked keys. @default true */
  includeRevoked?: boolean;
  /** Page size, 1..1000. @default 100 */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface ListPage<T> {
  readonly items: T[];
  /** Pass as `cursor` for the next page; `null` on the last page. */
  readonly nextCursor: string | null;
}

/**
 * What {@link KeyStore.listExpiring} reads: keys that will expire in `(after, before]` and still
 * work until then — not revoked, not retired by a rotation (a rotated key is meant to expire).
 */
export interface ExpiringQuery {
  /** Keys of one workspace; all workspaces (and owners) when absent. */
  readonly workspaceId?: string;
  /** Keys whose `expiresAt` is after this time (usually now). */
  readonly after: Date;
  /** … and at or before this time. */
  readonly before: Date;
  /** Page size, 1..1000. */
  readonly limit: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
}

/** The atomic rotation a store performs. */
export interface RotateInput {
  readonly oldId: string;
  /** The new key, inserted in the same step. */
  readonly successor: StoredKey;
  /** New `expiresAt` of the old key (end of the grace period), or unchanged when undefined. */
  readonly oldExpiresAt?: Date | null;
  /** Revoke the old key at once (no grace period). */
  readonly revokeOld: boolean;
  readonly now: Date;
  /**
   * Aborted when the engine stopped waiting (`storeTimeout`) and answered 503: a store that can
   * should then not complete the rotation (PostgreSQL rolls its transaction back), since the
   * caller never got the successor's key.
   */
  readonly signal?: AbortSignal;
}

/**
 * The storage contract. Every store passes `describeKeyStore` from `@keyward/core/testing`.
 *
 * Rules: records are returned as new objects or frozen ones (callers never mutate them); a store
 * error is thrown (the engine turns it into `store_unavailable`); `findById` / `findByHash` are one
 * indexed read each.
 */
export interface KeyStore {
  /**
   * What the store runs on, as OpenTelemetry's `db.system.name` names it (`postgresql`, `redis`;
   * `memory` for the memory store): instrumentation labels its store calls with it.
   */
  readonly system?: string;
  /**
   * True for a store that answers from process memory: the engine then puts no cache in front of
   * it (by default).
   */
  readonly local?: boolean;
  /**
   * Inserts a new key.
   * @throws {KeywardError} `conflict` when the id or the hash already exists.
   */
  insert(key: StoredKey): Promise<void>;
  findById(id: string): Awaitable<StoredKey | null>;
  findByHash(hash: string): Awaitable<StoredKey | null>;
  /** Keys of a workspace or owner, oldest first (by `createdAt`, then `id`). */
  list(query: ListQuery): Promise<ListPage<StoredKey>>;
  /** Applies a patch; returns the updated key, or `null` when there is none. */
  update(id: string, patch: KeyPatch): Promise<StoredKey | null>;
  /** Deletes a key; returns the deleted key, or `null` when there was none. */
  delete(id: string): Promise<StoredKey | null>;
  /**
   * Atomically inserts the successor and retires the old key, only when the old key exists, is not
   * revoked and was never rotated. Returns the updated old key.
   * @throws {KeywardError} `not_found` when the old key is missing; `conflict` when it was revoked or
   * rotated already (so concurrent rotations retire a key once).
   */
  rotate(input: RotateInput): Promise<StoredKey>;
  /**
   * Optional: keys that expire soon ({@link ExpiringQuery}), soonest first (by `expiresAt`, then
   * `id`), from an index — never a scan of every key. Without it, `keyward.expiring` reads the
   * workspace's listing instead (and cannot answer for all workspaces at once).
   * @throws {KeywardError} `invalid_argument` for a cursor that is not one of its own.
   */
  listExpiring?(query: ExpiringQuery): Promise<ListPage<StoredKey>>;
  /** Releases connections the store opened itself. */
  close?(): Promise<void>;
}
