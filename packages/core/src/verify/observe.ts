import { refusedKeyOf } from '../audit/key-facts.js';
import type { AuditEventType } from '../audit/types.js';
import type { Engine } from '../engine/context.js';
import type { VerifyOptions, VerifyResult } from '../engine/types.js';
import type { KeywardErrorCode } from '../errors.js';

/**
 * The observe step, last in the pipeline: usage and audit of one verify, as in-memory updates only
 * (the writes happen in the background, and never fail or slow a request). Skipped entirely when
 * both are off.
 */

/**
 * The audit event of a refusal, by `code:reason` first, then by `code`; any other refusal is
 * `verify.failed`. `null`: not an authentication event — a store failure is an outage (see the
 * `onError` of the store's client), not a request to audit.
 */
export const REFUSAL_EVENTS: Readonly<Record<string, AuditEventType | null>> = Object.freeze({
  store_unavailable: null,
  expired_key: 'verify.expired_key',
  key_sunset: 'verify.legacy_sunset',
  quota_exceeded: 'verify.quota_exceeded',
  'invalid_key:revoked': 'verify.revoked_key',
});

/** The audit event type of a refusal, or `null` when it is not audited. */
export function refusalEvent(code: KeywardErrorCode, reason: string | undefined): AuditEventType | null {
  const byReason = reason === undefined ? undefined : REFUSAL_EVENTS[`${code}:${reason}`];
  if (byReason !== undefined) return byReason;
  const byCode = REFUSAL_EVENTS[code];
  return byCode === undefined ? 'verify.failed' : byCode;
}

/** Records the usage and audit of a result, and returns it. */
export function observe(result: VerifyResult, engine: Engine, options: VerifyOptions | undefined): VerifyResult {
  const recorder = engine.auditRecorder;
  if (result.ok) {
    const key = result.key;
    if (options?.dryRun !== true) engine.usageTracker?.record(key.id, key.workspaceId, engine.now());
    if (key.expiresAt !== null) engine.expiryWatch.observe(key);
    if (key.legacy && recorder !== null) {
      recorder.sample({ type: 'verify.legacy_key', workspaceId: key.workspaceId, keyId: key.id, keyHint: key.hint, request: options?.request });
    }
    return result;
  }
  if (recorder === null) return result;
  const { code, reason, keyId, missingScopes } = result.error;
  const type = refusalEvent(code, reason);
  if (type === null) return result;
  // The key's hint and workspace when the pipeline had its record: then the recorder reads nothing.
  const key = keyId === undefined ? undefined : refusedKeyOf(result.error);
  recorder.sample({
    type,
    workspaceId: key?.workspaceId ?? options?.workspaceId ?? null,
    keyId: keyId ?? null,
    ...(key !== undefined ? { keyHint: key.hint } : {}),
    code,
    reason: reason ?? null,
    request: options?.request,
    ...(code === 'insufficient_scope' && missingScopes ? { details: { missingScopes: [...missingScopes] } } : {}),
  });
  return result;
}
