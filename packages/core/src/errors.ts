/**
 * One error type for everything Keyward refuses, with a stable machine `code`.
 *
 * Authentication failures are *returned* from `verify` (never thrown); lifecycle calls throw a
 * `KeywardError` for a missing key or a refused change; misconfiguration throws `TypeError` /
 * `RangeError` at construction. No message, field or `toJSON` of a `KeywardError` ever holds a
 * key, a secret or a hash.
 */

/** Every code Keyward can produce, with the HTTP status it maps to. */
export const ERROR_CODES = {
  /** No `Authorization` header, or a scheme other than Bearer (RFC 6750 §3.1: no error code). */
  missing_credentials: 401,
  /** The header is not `Bearer <token68>`: bad spacing, tabs, control or non-ASCII characters, duplicate headers, too long. */
  malformed_header: 401,
  /** The token is not a key of the expected format (prefix, environment, length, alphabet, checksum). */
  malformed_key: 401,
  /** Only the public key id was sent, without its secret (`abc123` instead of `abc123.secret`). */
  key_id_only: 401,
  /** Unknown, revoked, or of another workspace: rendered identically on purpose. */
  invalid_key: 401,
  /** The key existed and has expired (or its rotation grace period has ended). */
  expired_key: 401,
  /** A legacy key used after its sunset date. */
  key_sunset: 401,
  /** A key of another environment (a `test` key on a `live` route). */
  environment_mismatch: 401,
  /** A valid key that lacks one or more required scopes. */
  insufficient_scope: 403,
  /** The key's quota is exhausted (Keyward's convention: 402, see the docs). */
  quota_exceeded: 402,
  /** Too many requests for one of the key's rate limits. */
  rate_limited: 429,
  /** The key store failed, timed out or returned a bad row: never a pass, never a 401. */
  store_unavailable: 503,
  /** Lifecycle: no such key (or not in the given workspace). */
  not_found: 404,
  /** Lifecycle: the change conflicts with the key's state (already rotated, legacy key, duplicate). */
  conflict: 409,
  /** Lifecycle: an argument is invalid. */
  invalid_argument: 400,
  /** Lifecycle: a change made by a key goes beyond that key (scopes it lacks, a later expiry, another workspace). */
  forbidden: 403,
} as const;

export type KeywardErrorCode = keyof typeof ERROR_CODES;

/**
 * Why an `invalid_key` was refused. Kept for audit logs and metrics; renderers never show it, so
 * that an unknown, a revoked and another workspace's key stay indistinguishable to the caller.
 */
export type InvalidKeyReason = 'unknown' | 'revoked' | 'workspace_mismatch' | 'hash_mismatch';

/** Options of a {@link KeywardError}. */
export interface KeywardErrorOptions {
  /** Human message; a default per code is used when omitted. Must never contain a key. */
  message?: string;
  /** Internal reason (audit only, never rendered). */
  reason?: InvalidKeyReason | string;
  /** The scopes that were required and are missing (for `insufficient_scope`). */
  missingScopes?: readonly string[];
  /** Seconds after which the client may retry (for 429, 503, quota refills). */
  retryAfter?: number;
  /** Extra response headers the renderer must send (e.g. `RateLimit`). */
  headers?: Readonly<Record<string, string>>;
  /** Id of the key involved, when known. Public ids only, never a secret. */
  keyId?: string;
  /** `quota_exceeded` only: answer 429 instead of Keyward's default 402. */
  status?: 402 | 429;
  /** RFC 9457 problem `type` URI for this error (renderers use it instead of their default). */
  type?: string;
  /** The underlying error (store failures); never rendered. */
  cause?: unknown;
}

const DEFAULT_MESSAGES: Record<KeywardErrorCode, string> = {
  missing_credentials: 'Send an API key in the Authorization header: "Authorization: Bearer <key>".',
  malformed_header: 'The Authorization header must read exactly "Bearer <key>".',
  malformed_key: 'The API key is malformed: check that you copied the whole key.',
  key_id_only: 'Only the key id was sent: use the full key including the dot ("id.secret"), as shown when the key was created.',
  invalid_key: 'The API key provided is invalid.',
  expired_key: 'The API key has expired.',
  key_sunset: 'This legacy API key has passed its sunset date and no longer works; create a new key.',
  environment_mismatch: 'This API key belongs to another environment.',
  insufficient_scope: 'The API key lacks a scope this request requires.',
  quota_exceeded: 'The quota of this API key is exhausted.',
  rate_limited: 'Too many requests: retry later.',
  store_unavailable: 'API key verification is temporarily unavailable: retry later.',
  not_found: 'No such API key.',
  conflict: 'The change conflicts with the current state of the key.',
  invalid_argument: 'Invalid argument.',
  forbidden: 'The acting key may not make this change.',
};

/** The error of every refusal Keyward makes. Check `code`, not `message`. */
export class KeywardError extends Error {
  override readonly name = 'KeywardError';
  readonly code: KeywardErrorCode;
  readonly status: number;
  readonly reason: string | undefined;
  readonly missingScopes: readonly string[] | undefined;
  readonly retryAfter: number | undefined;
  readonly headers: Readonly<Record<string, string>> | undefined;
  readonly keyId: string | undefined;
  readonly type: string | undefined;

  constructor(code: KeywardErrorCode, options: KeywardErrorOptions = {}) {
    super(options.message ?? DEFAULT_MESSAGES[code], options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.status = code === 'quota_exceeded' && options.status === 429 ? 429 : ERROR_CODES[code];
    this.type = options.type;
    this.reason = options.reason;
    this.missingScopes = options.missingScopes;
    this.retryAfter = options.retryAfter;
    this.headers = options.headers;
    this.keyId = options.keyId;
  }

  /** A JSON-safe view: code, status, message and the renderable data. Never the cause. */
  toJSON(): Record<string, unknown> {
    const out: Record<string, unknown> = { name: this.name, code: this.code, status: this.status, message: this.message };
    if (this.missingScopes) out.missingScopes = [...this.missingScopes];
    if (this.retryAfter !== undefined) out.retryAfter = this.retryAfter;
    return out;
  }
}

/** True for a `KeywardError` (also across package copies, by duck type). */
export function isKeywardError(value: unknown): value is KeywardError {
  return (
    value instanceof KeywardError ||
    (typeof value === 'object' &&
      value !== null &&
      (value as { name?: unknown }).name === 'KeywardError' &&
      typeof (value as { code?: unknown }).code === 'string')
  );
}
