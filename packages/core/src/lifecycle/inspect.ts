import type { ApiKey } from '../engine/types.js';
import type { KeyFormat } from '../format/types.js';
import type { Hasher } from '../hash/hasher.js';
import { timingSafeEqualString } from '../internal/timing-safe.js';
import type { Awaitable, KeyStore, StoredKey } from '../store/types.js';

/**
 * What a token is, for the management side (`keyward scan`, leak reports): never a verify, so it
 * counts no usage, spends no quota, writes no `verify.*` audit event and skips the cache (the
 * answer is the store's, at the time of the call).
 *
 * - `malformed`: not a key of any format of the engine (wrong prefix, length, checksum);
 * - `unknown`: well-formed, but no key has it;
 * - `active`: a key that works now (as far as its state goes: scopes and tenancy are per route);
 * - `revoked`, `expired`, `sunset` (a legacy key past its sunset): a key that no longer works.
 */
export type TokenStatus = 'malformed' | 'unknown' | 'active' | 'revoked' | 'expired' | 'sunset';

/** The answer of `keyward.inspect(token)`. */
export interface TokenInspection {
  readonly status: TokenStatus;
  /** The key, for every status but `malformed` and `unknown`. */
  readonly key: ApiKey | null;
  /** The format the token was read with (`null` when no format takes it). */
  readonly format: string | null;
}

/** What {@link inspectToken} needs of the engine. */
export interface InspectHost {
  readonly store: Pick<KeyStore, 'findById' | 'findByHash'>;
  readonly formats: readonly KeyFormat[];
  readonly hashers: readonly Hasher[];
  readonly legacySunset: Date | null;
  now(): number;
  /** One store read, bounded in time, its row checked; a failure is `store_unavailable`. */
  find(read: () => Awaitable<StoredKey | null>): Promise<StoredKey | null>;
  toPublic(record: StoredKey): ApiKey;
}

/** The state of a stored key at `now`, as `verify` judges it. */
export function keyStatus(record: StoredKey, now: number, legacySunset: Date | null): Exclude<TokenStatus, 'malformed' | 'unknown'> {
  // Revoked whatever the clock: a revocation is immediate (only scheduled ends compare clocks).
  if (record.revokedAt !== null) return 'revoked';
  if (record.expiresAt !== null && record.expiresAt.getTime() <= now) return 'expired';
  const sunset = record.legacy ? (record.sunsetAt ?? legacySunset) : null;
  if (sunset !== null && sunset.getTime() <= now) return 'sunset';
  return 'active';
}

/**
 * Reads a token with the engine's formats (with every check, the checksum included) and finds
 * its key in the store.
 * @throws {KeywardError} `store_unavailable` when the store fails.
 */
export async function inspectToken(host: InspectHost, token: string): Promise<TokenInspection> {
  const { store } = host;
  if (typeof token !== 'string') return { status: 'malformed', key: null, format: null };
  const format = host.formats.find((f) => f.matches(token));
  if (format === undefined || token.length > format.maxLength) return { status: 'malformed', key: null, format: null };
  const parsed = format.parse(token);
  if ('error' in parsed) return { status: 'malformed', key: null, format: format.name };
  let record: StoredKey | null = null;
  if (format.lookup === 'id') {
    const id = parsed.id;
    const found = id === undefined ? null : await host.find(() => store.findById(id));
    const hasher = found === null ? undefined : host.hashers.find((h) => h.version === found.hashVersion);
    if (found !== null && hasher !== undefined && timingSafeEqualString(hasher.hash(parsed.secret), found.hash)) record = found;
  } else {
    for (const hasher of host.hashers) {
      const digest = hasher.hash(parsed.secret);
      const found = await host.find(() => store.findByHash(digest));
      if (found !== null && found.hashVersion === hasher.version && found.hash === digest) {
        record = found;
        break;
      }
    }
  }
  if (record === null || record.format !== format.name) return { status: 'unknown', key: null, format: format.name };
  return { status: keyStatus(record, host.now(), host.legacySunset), key: host.toPublic(record), format: format.name };
}
