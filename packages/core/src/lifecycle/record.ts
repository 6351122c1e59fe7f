import type { Engine } from '../engine/context.js';
import type { KeyFormat } from '../format/types.js';
import type { StoredKey } from '../store/types.js';
import { isStorableText } from '../internal/storable.js';
import { invalidArgument } from './checks.js';

/**
 * The one record builder of the lifecycle: `create`, `import` and `rotate` name the fields that
 * make their key, and every other field gets its value here, so that all stored keys have one
 * shape and a new field has one place to be set.
 */

/** The fields that differ from key to key. */
export type RecordFields = Pick<
  StoredKey,
  'id' | 'workspaceId' | 'ownerId' | 'name' | 'format' | 'environment' | 'scopes' | 'prefix' | 'hint' | 'hash' | 'hashVersion'
> &
  Partial<Pick<StoredKey, 'legacy' | 'createdAt' | 'expiresAt' | 'sunsetAt' | 'metadata' | 'createdBy' | 'counterId'>>;

/** A new stored key: not revoked, never rotated nor used, created and updated at `now` (ms) unless said otherwise. */
export function buildRecord(fields: RecordFields, now: number): StoredKey {
  return {
    id: fields.id,
    workspaceId: fields.workspaceId,
    ownerId: fields.ownerId,
    name: fields.name,
    format: fields.format,
    environment: fields.environment,
    scopes: fields.scopes,
    prefix: fields.prefix,
    hint: fields.hint,
    hash: fields.hash,
    hashVersion: fields.hashVersion,
    legacy: fields.legacy ?? false,
    createdAt: fields.createdAt ?? new Date(now),
    updatedAt: new Date(now),
    expiresAt: fields.expiresAt ?? null,
    revokedAt: null,
    sunsetAt: fields.sunsetAt ?? null,
    rotatedToId: null,
    lastUsedAt: null,
    metadata: fields.metadata ?? {},
    createdBy: fields.createdBy ?? null,
    counterId: fields.counterId ?? null,
  };
}

/** A generated key: its plaintext (shown once) and the fields of its record that come from it. */
export interface IssuedKey {
  readonly key: string;
  readonly fields: Pick<StoredKey, 'id' | 'prefix' | 'hint' | 'hash' | 'hashVersion'> & { readonly environment: string | null };
}

/**
 * Generates a key of `format`, hashed by the newest hasher.
 * @throws {KeywardError} `invalid_argument` when the format cannot generate it (an unknown environment).
 * @throws {RangeError} when the format generates a key it cannot parse (a broken format).
 */
export function issueKey(engine: Engine, format: KeyFormat, environment: string | null | undefined): IssuedKey {
  let generated: ReturnType<KeyFormat['generate']>;
  try {
    generated = format.generate(environment === undefined || environment === null ? undefined : { environment });
  } catch (e) {
    throw invalidArgument(e instanceof Error ? e.message : 'cannot generate a key');
  }
  const parsed = format.parse(generated.key);
  if ('error' in parsed) throw new RangeError(`format ${format.name} generated a key it cannot parse (${parsed.detail})`);
  const hasher = engine.hashers[0]!;
  const id = generated.id ?? engine.generateId();
  // A key id every store keeps as it is (a custom generateId or format could make another).
  if (!isStorableText(id, 256))
    throw new RangeError(`format ${format.name} or generateId made an id that is not 1-256 characters without control characters`);
  return {
    key: generated.key,
    fields: {
      id,
      prefix: format.redact(generated.key).split('…')[0] ?? '',
      hint: generated.key.slice(-4),
      hash: hasher.hash(parsed.secret),
      hashVersion: hasher.version,
      environment: generated.environment ?? environment ?? null,
    },
  };
}

/** The format of this name, or the engine's first. */
export function formatFor(engine: Engine, name: string | undefined): KeyFormat {
  if (name === undefined) return engine.formats[0]!;
  const format = engine.formatByName.get(name);
  if (!format) throw invalidArgument(`unknown key format ${JSON.stringify(name)}; known: ${[...engine.formatByName.keys()].join(', ')}`);
  return format;
}
