import type { Engine } from '../engine/context.js';
import type { ApiKey } from '../engine/types.js';
import { KeywardError } from '../errors.js';
import { missingScopes } from '../scope/scopes.js';
import type { StoredKey } from '../store/types.js';
import { getStored } from './read.js';

/**
 * The one place where a change made *by a key* is bounded by that key (an API that lets keys manage
 * keys: Tooken's tokens, a dashboard called with an API key). The acting key is read again from the
 * store — never trusted as handed in — and must still work; then a key may:
 *
 * - hand out only scopes it holds itself (create, update of scopes);
 * - reach only keys whose scopes it holds (rotate, update, revoke, delete): rotating a key hands
 *   out its scopes with the new plaintext, and a key must not undo a more powerful one;
 * - act only in its own workspace;
 * - make keys that expire no later than it does: a key it creates without an expiry gets its own,
 *   a later expiry is refused, a successor of its rotation keeps the earlier of the two.
 *
 * A refusal is `forbidden` (403), with the scopes it lacks.
 */

/** The acting key, checked: what it may do. */
export interface ActingKey {
  readonly record: StoredKey;
  /** Who acts, for the audit log, when the call names no actor: `key:<id>`. */
  readonly actor: string;
}

function forbidden(message: string, keyId: string, missing?: readonly string[]): KeywardError {
  return new KeywardError('forbidden', { message, keyId, ...(missing ? { missingScopes: missing } : {}) });
}

/**
 * The acting key of a call, read from the store and checked to work now, in `workspaceId` (the
 * workspace of the key it acts on: a key of an owner, without a workspace, is beyond every acting
 * key); `null` when the call names none.
 * @throws {KeywardError} `forbidden` when it is unknown, revoked, expired, legacy or of another workspace.
 */
export async function actingKey(engine: Engine, option: Pick<ApiKey, 'id'> | undefined, workspaceId: string | null): Promise<ActingKey | null> {
  if (option === undefined) return null;
  if (!option || typeof option.id !== 'string') throw new TypeError("actingKey must be the key that acts (a verified request's key), with its id");
  let record: StoredKey;
  try {
    record = await getStored(engine, option.id, undefined);
  } catch (error) {
    if (error instanceof KeywardError && (error.code === 'not_found' || error.code === 'invalid_argument')) {
      throw forbidden('the acting key does not exist any more', option.id);
    }
    throw error;
  }
  const now = engine.now();
  // A revocation is immediate whatever the clock; an expiry is compared with this engine's clock.
  if (record.revokedAt !== null || (record.expiresAt !== null && record.expiresAt.getTime() <= now) || record.legacy) {
    throw forbidden('the acting key no longer works: it cannot manage keys', record.id);
  }
  if (record.workspaceId !== workspaceId) {
    throw forbidden('a key can manage the keys of its own workspace only', record.id);
  }
  return { record, actor: `key:${record.id}` };
}

/** Scopes the acting key hands out (create, update): it must hold each. */
export function checkGrant(acting: ActingKey | null, scopes: readonly string[]): void {
  if (acting === null) return;
  const missing = missingScopes(acting.record.scopes, scopes);
  if (missing !== null) throw forbidden(`a key can grant only scopes it holds; it lacks ${missing.join(', ')}`, acting.record.id, missing);
}

/** A key the acting key changes, rotates, revokes or deletes: it must hold every scope of that key. */
export function checkReach(acting: ActingKey | null, target: StoredKey): void {
  if (acting === null) return;
  const missing = missingScopes(acting.record.scopes, target.scopes);
  if (missing !== null) {
    throw forbidden(`a key can manage only keys whose scopes it holds; it lacks ${missing.join(', ')}`, acting.record.id, missing);
  }
}

/**
 * The expiry of a key the acting key creates or sets: the one asked, which must not be later than
 * the acting key's; without one, the acting key's own.
 */
export function boundedExpiry(acting: ActingKey | null, asked: Date | null): Date | null {
  const limit = acting?.record.expiresAt ?? null;
  if (limit === null) return asked;
  if (asked === null) return new Date(limit.getTime());
  if (asked.getTime() > limit.getTime()) {
    throw forbidden(`a key cannot make a key that outlives it: the expiry must be at or before ${limit.toISOString()}`, acting!.record.id);
  }
  return asked;
}

/** The expiry of a successor the acting key makes by rotation: the old key's, or the acting key's when that is earlier. */
export function successorExpiry(acting: ActingKey | null, old: Date | null): Date | null {
  const limit = acting?.record.expiresAt ?? null;
  if (limit === null) return old;
  return old !== null && old.getTime() <= limit.getTime() ? old : new Date(limit.getTime());
}
