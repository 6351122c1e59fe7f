import type { VerifyOptions } from '../engine/types.js';
import { KeywardError } from '../errors.js';
import type { KeyFormat, ParsedKey } from '../format/types.js';
import { missingScopes } from '../scope/scopes.js';
import type { StoredKey } from '../store/types.js';

/**
 * The decide step: the checks of a looked-up record — found, tenancy, state (revoked, expired,
 * legacy past its sunset), environment, scopes. Pure and synchronous: the record, the route's
 * options and a time in, a refusal or `null` (pass) out. The one question that needs the
 * application, whether an owner owns a workspace, is handed back as {@link ASK_OWNER} for the
 * pipeline to ask.
 *
 * Tenancy comes before state so that a key of another workspace reads exactly like an unknown key
 * whatever its state (an `expired_key` would tell that the key exists). A revocation is immediate:
 * `revokedAt` set means revoked, whatever the verifier's clock says; only scheduled ends (`expiresAt`,
 * which is also the end of a rotation's grace period, and a legacy key's sunset) are compared with
 * `now`, so they depend on the instances' clocks agreeing.
 */

/** A legacy key of an owner on a route of a workspace: pass only if the owner owns it (`ownsWorkspace`). */
export const ASK_OWNER: unique symbol = Symbol('ask the owner');
export type Decision = KeywardError | typeof ASK_OWNER | null;

/** The sunset in force for a record: its own, else the engine's default for legacy keys; `null` for a key that is not legacy. */
export function sunsetOf(record: StoredKey, defaultSunset: Date | null): Date | null {
  return record.legacy ? (record.sunsetAt ?? defaultSunset) : null;
}

/**
 * @param canAskOwner whether the engine has `ownsWorkspace` (without it a legacy key of an owner
 * passes only routes that name no workspace).
 */
export function decide(
  record: StoredKey | null,
  format: KeyFormat,
  parsed: ParsedKey,
  options: VerifyOptions | undefined,
  now: number,
  defaultSunset: Date | null,
  canAskOwner: boolean,
): Decision {
  if (record === null || record.format !== format.name) return refusal('invalid_key', 'unknown');
  if (options?.workspaceId !== undefined && record.workspaceId !== options.workspaceId) {
    if (record.legacy && record.workspaceId === null && record.ownerId !== null && canAskOwner) return ASK_OWNER;
    return refusal('invalid_key', 'workspace_mismatch', record.id);
  }
  return decideAfterTenancy(record, parsed, options, now, defaultSunset);
}

/** The checks after tenancy: state, then environment (for a format that writes none into the key), then scopes. */
export function decideAfterTenancy(
  record: StoredKey,
  parsed: ParsedKey,
  options: VerifyOptions | undefined,
  now: number,
  defaultSunset: Date | null,
): KeywardError | null {
  if (record.revokedAt !== null) return refusal('invalid_key', 'revoked', record.id);
  if (record.expiresAt !== null && record.expiresAt.getTime() <= now) return refusal('expired_key', undefined, record.id);
  if (record.legacy) {
    const sunset = sunsetOf(record, defaultSunset);
    if (sunset !== null && sunset.getTime() <= now) return refusal('key_sunset', undefined, record.id);
  }
  if (options === undefined) return null;
  if (options.environment !== undefined && parsed.environment === undefined && record.environment !== options.environment) {
    return refusal('environment_mismatch', undefined, record.id);
  }
  if (options.scopes !== undefined && options.scopes.length > 0) {
    const missing = missingScopes(record.scopes, options.scopes);
    if (missing !== null) return new KeywardError('insufficient_scope', { missingScopes: missing, keyId: record.id });
  }
  return null;
}

/** The environment written in the key against the route's: checked before any lookup. */
export function environmentMismatch(parsed: ParsedKey, options: VerifyOptions | undefined): boolean {
  return options?.environment !== undefined && parsed.environment !== undefined && parsed.environment !== options.environment;
}

function refusal(code: 'invalid_key' | 'expired_key' | 'key_sunset' | 'environment_mismatch', reason?: string, keyId?: string): KeywardError {
  return new KeywardError(code, { reason, keyId });
}
