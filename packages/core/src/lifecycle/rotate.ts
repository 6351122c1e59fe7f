import type { Engine } from '../engine/context.js';
import { toPublic } from '../engine/public-view.js';
import type { ApiKey, CreatedKey, RotateOptions } from '../engine/types.js';
import { KeywardError } from '../errors.js';
import { toMilliseconds } from '../internal/duration.js';
import { checkRow } from '../verify/lookup.js';
import { actingKey, checkReach, successorExpiry } from './acting-key.js';
import { getStored, guarded } from './read.js';
import { buildRecord, formatFor, issueKey } from './record.js';

/**
 * Replaces a key by a new one with the same settings, in one atomic store call. The old key stops
 * at once, or at the end of `gracePeriod` (never later than its own expiry). A key is rotated
 * once: a second rotation of the same key is a `conflict`.
 */
export async function rotateKey(engine: Engine, id: string, options: RotateOptions): Promise<CreatedKey & { previous: ApiKey }> {
  const grace = toMilliseconds(options.gracePeriod ?? 0, 'gracePeriod');
  const old = await getStored(engine, id, options);
  // The new plaintext goes to whoever rotates: a key may rotate only keys within its own reach.
  const acting = await actingKey(engine, options.actingKey, old.workspaceId);
  checkReach(acting, old);
  const actor = options.actor ?? acting?.actor;
  if (old.legacy) throw new KeywardError('conflict', { message: 'legacy keys cannot be rotated: create a workspace key', keyId: id });
  if (old.revokedAt !== null) throw new KeywardError('conflict', { message: 'a revoked key cannot be rotated', keyId: id });
  if (old.rotatedToId !== null) throw new KeywardError('conflict', { message: 'this key was rotated already', keyId: id });
  const format = formatFor(engine, old.format);
  const nowMs = engine.now();
  const now = new Date(nowMs);
  const issued = issueKey(engine, format, old.environment);
  // The successor keeps the old key's settings; its environment is the old key's as stored, and
  // whoever rotates makes the new secret (createdBy).
  const successor = buildRecord(
    {
      ...old,
      ...issued.fields,
      environment: old.environment,
      createdAt: undefined,
      metadata: { ...old.metadata },
      scopes: [...old.scopes],
      expiresAt: successorExpiry(acting, old.expiresAt),
      // The successor counts on its predecessor's counters: a rotation resets no quota or rate limit.
      counterId: old.counterId ?? old.id,
      createdBy: actor ?? old.createdBy ?? null,
    },
    nowMs,
  );
  let oldExpiresAt: Date | undefined;
  if (grace > 0) {
    const end = nowMs + grace;
    oldExpiresAt = new Date(old.expiresAt !== null ? Math.min(old.expiresAt.getTime(), end) : end);
  }
  const previous = await guarded(engine, (signal) =>
    engine.store.rotate({ oldId: id, successor, revokeOld: grace === 0, now, signal, ...(oldExpiresAt ? { oldExpiresAt } : {}) }),
  );
  await engine.cache.changed(id, engine.sink);
  engine.auditRecorder?.record({
    type: 'key.rotated',
    workspaceId: old.workspaceId,
    keyId: id,
    keyHint: old.hint,
    actor,
    details: { successorId: successor.id, successorHint: successor.hint, gracePeriodMs: grace },
  });
  return { key: issued.key, record: toPublic(engine, successor), previous: toPublic(engine, checkRow(previous)!) };
}
