import type { Engine } from '../engine/context.js';
import { toPublic } from '../engine/public-view.js';
import type { ApiKey, ImportKeyInput } from '../engine/types.js';
import { checkDigest, checkMetadata, checkName, checkScopes, checkWorkspace, invalidArgument, isKeyId, toDate } from './checks.js';
import { guarded } from './read.js';
import { buildRecord, formatFor } from './record.js';

/** Imports a key whose hash was made elsewhere, optionally as a legacy key with a sunset. */
export async function importKey(engine: Engine, input: ImportKeyInput): Promise<ApiKey> {
  if (!input || typeof input !== 'object') throw invalidArgument('import needs { hash, name, hint, ... }');
  const format = formatFor(engine, input.format);
  const hash = checkDigest(input.hash);
  const hashVersion = input.hashVersion ?? 'sha256';
  if (!engine.hasherByVersion.has(hashVersion)) {
    throw invalidArgument(
      `hashVersion ${JSON.stringify(hashVersion)} is not one of this engine's hashers (${[...engine.hasherByVersion.keys()].join(', ')})`,
    );
  }
  const legacy = input.legacy === true;
  const workspaceId = input.workspaceId === undefined || input.workspaceId === null ? null : checkWorkspace(input.workspaceId);
  const ownerId = input.ownerId === undefined || input.ownerId === null ? null : checkWorkspace(input.ownerId, 'ownerId');
  if (workspaceId === null && !(legacy && ownerId !== null)) {
    throw invalidArgument('workspaceId is required (only a legacy key may belong to an owner instead)');
  }
  if (format.lookup === 'id' && !isKeyId(input.id)) throw invalidArgument(`format ${format.name} looks keys up by id: pass the id inside the key`);
  if (typeof input.hint !== 'string' || input.hint.length > 8) throw invalidArgument('hint must be the last 4 characters of the key');
  const now = engine.now();
  const record = buildRecord(
    {
      id: input.id ?? engine.generateId(),
      workspaceId,
      ownerId,
      name: checkName(input.name),
      format: format.name,
      environment: input.environment ?? null,
      scopes: checkScopes(input.scopes),
      prefix: input.prefix ?? (format.lookup === 'id' ? `${input.id}.` : ''),
      hint: input.hint,
      hash,
      hashVersion,
      legacy,
      createdAt: toDate(input.createdAt, 'createdAt') ?? undefined,
      expiresAt: toDate(input.expiresAt, 'expiresAt'),
      sunsetAt: legacy ? toDate(input.sunsetAt, 'sunsetAt') : null,
      metadata: checkMetadata(input.metadata),
      createdBy: input.actor ?? null,
    },
    now,
  );
  await guarded(engine, () => engine.store.insert(record));
  // An id lookup may have remembered this id as unknown.
  await engine.cache.changed(record.id, engine.sink);
  engine.auditRecorder?.record({
    type: 'key.imported',
    workspaceId,
    keyId: record.id,
    keyHint: record.hint,
    actor: input.actor,
    details: { name: record.name, legacy, ...(legacy ? { ownerId, sunsetAt: record.sunsetAt?.toISOString() ?? null } : {}) },
  });
  return toPublic(engine, record);
}
