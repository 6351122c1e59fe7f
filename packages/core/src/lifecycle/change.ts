import type { Engine } from '../engine/context.js';
import { toPublic } from '../engine/public-view.js';
import type { ApiKey, ChangeOptions, UpdateKeyInput } from '../engine/types.js';
import { isKeywardError, KeywardError } from '../errors.js';
import type { KeyPatch, StoredKey } from '../store/types.js';
import { checkRow } from '../verify/lookup.js';
import { checkMetadata, checkName, checkScopes, toDate } from './checks.js';
import { actingKey, boundedExpiry, checkGrant, checkReach } from './acting-key.js';
import { getStored, guarded } from './read.js';

/** Changes of a stored key: update (name, scopes, expiry, metadata), revoke, delete. Each drops the cached entry everywhere. */

/** Changes name, scopes, expiry or metadata of a key. Legacy keys cannot be changed. */
export async function updateKey(engine: Engine, id: string, input: UpdateKeyInput, guard: ChangeOptions | undefined): Promise<ApiKey> {
  const record = await getStored(engine, id, guard);
  const acting = await actingKey(engine, guard?.actingKey, record.workspaceId);
  checkReach(acting, record);
  if (record.legacy) throw new KeywardError('conflict', { message: 'legacy keys can only be viewed and revoked', keyId: id });
  const patch: { -readonly [K in keyof KeyPatch]: KeyPatch[K] } = { updatedAt: new Date(engine.now()) };
  if (input.name !== undefined) patch.name = checkName(input.name);
  if (input.scopes !== undefined) {
    patch.scopes = checkScopes(input.scopes);
    checkGrant(acting, patch.scopes);
  }
  if (input.expiresAt !== undefined) patch.expiresAt = boundedExpiry(acting, toDate(input.expiresAt, 'expiresAt'));
  if (input.metadata !== undefined) patch.metadata = checkMetadata(input.metadata);
  const updated = await applyPatch(engine, id, patch);
  const recorder = engine.auditRecorder;
  if (recorder !== null) {
    const base = { workspaceId: record.workspaceId, keyId: id, keyHint: record.hint, actor: guard?.actor ?? acting?.actor };
    if (patch.name !== undefined && patch.name !== record.name) {
      recorder.record({ ...base, type: 'key.renamed', details: { name: patch.name, previousName: record.name } });
    }
    const fields = (['scopes', 'expiresAt', 'metadata'] as const).filter((f) => patch[f] !== undefined);
    if (fields.length > 0) recorder.record({ ...base, type: 'key.updated', details: { fields } });
  }
  return updated;
}

/** Revokes a key at once. Revoking a revoked key changes nothing and returns it. */
export async function revokeKey(engine: Engine, id: string, guard: ChangeOptions | undefined): Promise<ApiKey> {
  const record = await getStored(engine, id, guard);
  const acting = await actingKey(engine, guard?.actingKey, record.workspaceId);
  checkReach(acting, record);
  if (record.revokedAt !== null) return toPublic(engine, record);
  const now = new Date(engine.now());
  const revoked = await applyPatch(engine, id, { revokedAt: now, updatedAt: now });
  const actor = guard?.actor ?? acting?.actor;
  engine.auditRecorder?.record({ type: 'key.revoked', workspaceId: record.workspaceId, keyId: id, keyHint: record.hint, actor });
  return revoked;
}

/** Deletes a key for good. Returns whether there was one. */
export async function deleteKey(engine: Engine, id: string, guard: ChangeOptions | undefined): Promise<boolean> {
  let record: StoredKey;
  try {
    record = await getStored(engine, id, guard);
  } catch (e) {
    if (isKeywardError(e) && e.code === 'not_found') return false;
    throw e;
  }
  const acting = await actingKey(engine, guard?.actingKey, record.workspaceId);
  checkReach(acting, record);
  const deleted = await guarded(engine, () => engine.store.delete(id));
  await engine.cache.changed(id, engine.sink);
  if (deleted !== null) {
    const actor = guard?.actor ?? acting?.actor;
    engine.auditRecorder?.record({ type: 'key.deleted', workspaceId: record.workspaceId, keyId: id, keyHint: record.hint, actor });
  }
  return deleted !== null;
}

async function applyPatch(engine: Engine, id: string, patch: KeyPatch): Promise<ApiKey> {
  const updated = checkRow(await guarded(engine, () => engine.store.update(id, patch)));
  if (updated === null) throw new KeywardError('not_found', { keyId: id });
  await engine.cache.changed(id, engine.sink);
  return toPublic(engine, updated);
}
