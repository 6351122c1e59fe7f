import type { AuditRequest } from '../audit/types.js';
import type { KeywardError } from '../errors.js';
import type { Duration } from '../internal/duration.js';
import type { StoredKey } from '../store/types.js';

/** An API key as Keyward shows it: every stored field except the hash (`createdBy` and `counterId` always set, `null` when none). */
export type ApiKey = Readonly<
  Omit<StoredKey, 'hash' | 'hashVersion' | 'createdBy' | 'counterId'> & { createdBy: string | null; counterId: string | null }
>;

/** What a route requires of a key. */
export interface VerifyOptions {
  /** Scopes the key must grant (403 `insufficient_scope` naming the missing ones). */
  scopes?: readonly string[];
  /**
   * The workspace the route serves. A key of another workspace is refused exactly like an unknown
   * key; a legacy key passes when its owner owns this workspace (see `ownsWorkspace`).
   */
  workspaceId?: string;
  /** The environment the route serves (`live`): a key of another environment is refused. */
  environment?: string;
  /** Who is asking (IP, user agent), kept with the audit events of this request. */
  request?: AuditRequest;
  /** Units of quota this request costs (rate limits count requests). @default 1 */
  cost?: number;
  /** Check everything, consume nothing: no quota, no rate limit, no usage count. */
  dryRun?: boolean;
}

/** A verified request: the key, and the headers to add to the response. */
export interface VerifySuccess {
  readonly ok: true;
  readonly key: ApiKey;
  /** `Deprecation`, `Sunset` and `Link` for legacy keys (RFC 9745, RFC 8594); lowercase names. */
  readonly headers: Readonly<Record<string, string>>;
}

/** A refused request. Render `error` with `keyward.render(error)`. */
export interface VerifyFailure {
  readonly ok: false;
  readonly error: KeywardError;
}

export type VerifyResult = VerifySuccess | VerifyFailure;

/** Input of `keyward.create`. */
export interface CreateKeyInput {
  /** The workspace the key reaches. */
  workspaceId: string;
  /** A label that says where the key is used (`prod-billing-worker`). */
  name: string;
  scopes?: readonly string[];
  /** Environment of the key; written into the key for formats with an environment segment. */
  environment?: string;
  /** Absolute expiry. */
  expiresAt?: Date | string | null;
  /** Expiry relative to now (`'30d'`); ignored when `expiresAt` is given. */
  expiresIn?: Duration;
  metadata?: Record<string, unknown>;
  /** Name of the format to use when the engine has several. @default the first format */
  format?: string;
  /** The account that created the key, kept for display and audit. */
  ownerId?: string | null;
  /** Who creates the key (a user id, `cli:alice`), for the audit log; kept as the key's `createdBy`. */
  actor?: string;
  /**
   * The key that creates this one, when a key does (an API that lets keys issue keys). See
   * {@link ChangeOptions.actingKey}: the new key gets only scopes the acting key holds, in its
   * workspace, and expires no later than it (without an expiry of its own, it gets the acting key's).
   */
  actingKey?: Pick<ApiKey, 'id'>;
}

/** Result of `create` and `rotate`: the plaintext key, shown once, and its record. */
export interface CreatedKey {
  /** The plaintext key. Hand it to the user once; Keyward keeps only its hash. */
  readonly key: string;
  readonly record: ApiKey;
}

/** Input of `keyward.import`: a key whose hash was made by another system. */
export interface ImportKeyInput {
  /** Required for formats that look keys up by id (the id inside the key). */
  id?: string;
  /** Hex digest of the secret (64 hex characters for SHA-256). */
  hash: string;
  /** How `hash` was made; must be one of the engine's hashers. @default 'sha256' */
  hashVersion?: string;
  workspaceId?: string | null;
  ownerId?: string | null;
  name: string;
  /** Last 4 characters of the key, for display. */
  hint: string;
  /** Public start of the key, for display. */
  prefix?: string;
  format?: string;
  environment?: string | null;
  scopes?: readonly string[];
  createdAt?: Date | string;
  expiresAt?: Date | string | null;
  /** Import as a legacy key: listed and revocable, refused after `sunsetAt`. */
  legacy?: boolean;
  sunsetAt?: Date | string | null;
  metadata?: Record<string, unknown>;
  /** Who imports the key, for the audit log. */
  actor?: string;
}

/** Restricts a lifecycle call to one workspace: a key of another workspace is `not_found`. */
export interface WorkspaceGuard {
  workspaceId?: string;
}

/** Options of a change (`rename`, `update`, `revoke`, `delete`, `rotate`). */
export interface ChangeOptions extends WorkspaceGuard {
  /** Who makes the change (a user id, `cli:alice`), for the audit log. @default `key:<id>` of `actingKey`, when given */
  actor?: string;
  /**
   * The key that makes the change, when a key makes it: an API that lets keys manage keys passes
   * the verified request's key (`result.key`, `req.apiKey`). The change is then bounded by that
   * key, read again from the store: it must still work (not revoked, not expired) and belong to the
   * workspace of the key it changes; it reaches only keys whose scopes it holds (a rotation hands
   * out the rotated key's scopes with the new plaintext); it grants only scopes it holds; and what
   * it makes expires no later than it does (a successor keeps the earlier expiry). People (a
   * dashboard's principals) pass none.
   * @throws {KeywardError} `forbidden` (403) for a change beyond the acting key.
   * @example
   * ```ts
   * // POST /tokens/:id/rotate, authenticated with a token
   * await keyward.rotate(id, { workspaceId: req.apiKey.workspaceId, actingKey: req.apiKey });
   * ```
   */
  actingKey?: Pick<ApiKey, 'id'>;
}

export interface RotateOptions extends ChangeOptions {
  /**
   * How long the old key keeps working: `0` (the default) revokes it at once; `'1h'`, `'24h'`,
   * `'7d'` let both work until then.
   * @default 0
   */
  gracePeriod?: Duration;
}

export interface UpdateKeyInput {
  name?: string;
  scopes?: readonly string[];
  expiresAt?: Date | string | null;
  metadata?: Record<string, unknown>;
}
