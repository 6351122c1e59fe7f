import { frozenCopy } from '../internal/frozen-copy.js';
import type { StoredKey } from '../store/types.js';
import type { Engine } from './context.js';
import type { ApiKey } from './types.js';

/**
 * The public view of a stored key (no hash), deeply frozen (its metadata is a frozen copy, not the
 * record's own object) and memoized per stored object.
 */
export function toPublic(engine: Engine, record: StoredKey): ApiKey {
  let view = engine.publicViews.get(record);
  if (view === undefined) {
    // Field by field (one object shape, no rest/spread): this runs once per store read (ce30473).
    view = Object.freeze({
      id: record.id,
      workspaceId: record.workspaceId,
      ownerId: record.ownerId,
      name: record.name,
      format: record.format,
      environment: record.environment,
      scopes: Object.freeze(record.scopes.slice()),
      prefix: record.prefix,
      hint: record.hint,
      legacy: record.legacy,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      expiresAt: record.expiresAt,
      revokedAt: record.revokedAt,
      sunsetAt: record.sunsetAt,
      rotatedToId: record.rotatedToId,
      lastUsedAt: record.lastUsedAt,
      metadata: frozenCopy(record.metadata),
      createdBy: record.createdBy ?? null,
      counterId: record.counterId ?? null,
    });
    engine.publicViews.set(record, view);
  }
  return view;
}
