import type { Engine } from '../engine/context.js';
import { toPublic } from '../engine/public-view.js';
import type { CreatedKey, CreateKeyInput } from '../engine/types.js';
import { isKeywardError } from '../errors.js';
import { actingKey, boundedExpiry, checkGrant } from './acting-key.js';
import { checkMetadata, checkName, checkScopes, checkWorkspace, expiry, invalidArgument } from './checks.js';
import { guarded } from './read.js';
import { buildRecord, formatFor, issueKey } from './record.js';

/** Issues a new key: generated, hashed, stored; the plaintext is in the result only. */
export async function createKey(engine: Engine, input: CreateKeyInput): Promise<CreatedKey> {
  if (!input || typeof input !== 'object') throw invalidArgument('create needs { workspaceId, name }');
  if ((input as { legacy?: unknown }).legacy) throw invalidArgument('legacy keys cannot be created, only imported');
  const workspaceId = checkWorkspace(input.workspaceId);
  const name = checkName(input.name);
  const scopes = checkScopes(input.scopes);
  const metadata = checkMetadata(input.metadata);
  const format = formatFor(engine, input.format);
  const now = engine.now();
  const acting = await actingKey(engine, input.actingKey, workspaceId);
  checkGrant(acting, scopes);
  const expiresAt = boundedExpiry(acting, expiry(input.expiresAt, input.expiresIn, now));
  const actor = input.actor ?? acting?.actor;
  for (let attempt = 0; ; attempt++) {
    const issued = issueKey(engine, format, input.environment);
    const fields = {
      ...issued.fields,
      workspaceId,
      ownerId: input.ownerId ?? null,
      createdBy: actor ?? null,
      name,
      format: format.name,
      scopes,
      expiresAt,
      metadata,
    };
    const record = buildRecord(fields, now);
    try {
      await guarded(engine, () => engine.store.insert(record));
    } catch (e) {
      // A random id collided: draw again (three times at most, which cannot happen by chance).
      if (isKeywardError(e) && e.code === 'conflict' && attempt < 2) continue;
      throw e;
    }
    engine.auditRecorder?.record({
      type: 'key.created',
      workspaceId,
      keyId: record.id,
      keyHint: record.hint,
      actor,
      details: { name, scopes, expiresAt: expiresAt?.toISOString() ?? null },
    });
    return { key: issued.key, record: toPublic(engine, record) };
  }
}
