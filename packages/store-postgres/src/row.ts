import type { StoredKey } from '@keyward/core/store';
import { malformedRow } from './errors.js';

/** Columns of the keys table in `StoredKey` order; every statement selects exactly these. */
export const COLUMNS = [
  'id',
  'workspace_id',
  'owner_id',
  'name',
  'format',
  'environment',
  'scopes',
  'prefix',
  'hint',
  'hash',
  'hash_version',
  'legacy',
  'created_at',
  'updated_at',
  'expires_at',
  'revoked_at',
  'sunset_at',
  'rotated_to_id',
  'last_used_at',
  'metadata',
  'created_by',
  'counter_id',
] as const;

export const COLUMN_LIST = COLUMNS.join(', ');

/**
 * The row as one JSON array in {@link COLUMNS} order, cast to text: one column to transfer and one
 * native `JSON.parse` instead of a type parser per column (timestamps, arrays, jsonb). This halves
 * the client-side cost of a lookup, and does not depend on the app's global pg type parsers.
 */
export const ROW_SQL = `json_build_array(${COLUMN_LIST})::text`;

/** A result row of a statement that selects {@link ROW_SQL} `AS r`. */
export interface KeyRow {
  r: unknown;
}

/** Query parameters of an INSERT of `key`, in {@link COLUMNS} order. */
export function rowValues(key: StoredKey): unknown[] {
  return [
    key.id,
    key.workspaceId,
    key.ownerId,
    key.name,
    key.format,
    key.environment,
    [...key.scopes],
    key.prefix,
    key.hint,
    key.hash,
    key.hashVersion,
    key.legacy,
    key.createdAt,
    key.updatedAt,
    key.expiresAt,
    key.revokedAt,
    key.sunsetAt,
    key.rotatedToId,
    key.lastUsedAt,
    // Stringified here: node-postgres would turn a top-level array into a PostgreSQL array.
    JSON.stringify(key.metadata),
    key.createdBy ?? null,
    key.counterId ?? null,
  ];
}

type Row = readonly unknown[];
const INDEX: Readonly<Record<(typeof COLUMNS)[number], number>> = Object.fromEntries(COLUMNS.map((c, i) => [c, i])) as never;

function text(row: Row, column: (typeof COLUMNS)[number]): string {
  const value = row[INDEX[column]];
  if (typeof value !== 'string') throw malformedRow(column);
  return value;
}

function nullableText(row: Row, column: (typeof COLUMNS)[number]): string | null {
  const value = row[INDEX[column]];
  if (value === null) return null;
  if (typeof value !== 'string') throw malformedRow(column);
  return value;
}

const ISO_RE = /^(\d{4,})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?(?:Z|([+-])(\d\d)(?::?(\d\d))?(?::?(\d\d))?)$/;

/**
 * PostgreSQL writes a timestamptz in JSON as ISO 8601 with the session's UTC offset. `Date` reads
 * that, except offsets with seconds (historical local mean time): read those by hand.
 */
function parseTimestamp(value: string): number {
  const native = Date.parse(value);
  if (!Number.isNaN(native)) return native;
  const m = ISO_RE.exec(value);
  if (!m) return Number.NaN;
  const ms = Number((m[7] ?? '0').padEnd(3, '0').slice(0, 3));
  const utc = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]), ms);
  const offset = m[8] === undefined ? 0 : (m[8] === '-' ? -1 : 1) * (Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0)) * 1000;
  return utc - offset;
}

function date(row: Row, column: (typeof COLUMNS)[number]): Date {
  const value = row[INDEX[column]];
  const time = typeof value === 'string' ? parseTimestamp(value) : Number.NaN;
  if (Number.isNaN(time)) throw malformedRow(column);
  return new Date(time);
}

function nullableDate(row: Row, column: (typeof COLUMNS)[number]): Date | null {
  return row[INDEX[column]] === null ? null : date(row, column);
}

/**
 * Checks a row (the text of {@link ROW_SQL}) and maps it to a `StoredKey`.
 * @throws {PostgresStoreError} when the row has a shape the schema does not allow (so the engine
 * answers `store_unavailable`, never a pass).
 */
export function toStoredKey(json: unknown): StoredKey {
  let row: unknown;
  try {
    row = typeof json === 'string' ? JSON.parse(json) : undefined;
  } catch {
    row = undefined;
  }
  if (!Array.isArray(row) || row.length !== COLUMNS.length) throw malformedRow('*');
  const scopes: unknown = row[INDEX.scopes];
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === 'string')) throw malformedRow('scopes');
  const metadata: unknown = row[INDEX.metadata];
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) throw malformedRow('metadata');
  const legacy: unknown = row[INDEX.legacy];
  if (typeof legacy !== 'boolean') throw malformedRow('legacy');
  return {
    id: text(row, 'id'),
    workspaceId: nullableText(row, 'workspace_id'),
    ownerId: nullableText(row, 'owner_id'),
    name: text(row, 'name'),
    format: text(row, 'format'),
    environment: nullableText(row, 'environment'),
    scopes: Object.freeze(scopes as string[]),
    prefix: text(row, 'prefix'),
    hint: text(row, 'hint'),
    hash: text(row, 'hash'),
    hashVersion: text(row, 'hash_version'),
    legacy,
    createdAt: date(row, 'created_at'),
    updatedAt: date(row, 'updated_at'),
    expiresAt: nullableDate(row, 'expires_at'),
    revokedAt: nullableDate(row, 'revoked_at'),
    sunsetAt: nullableDate(row, 'sunset_at'),
    rotatedToId: nullableText(row, 'rotated_to_id'),
    lastUsedAt: nullableDate(row, 'last_used_at'),
    metadata: metadata as Record<string, unknown>,
    createdBy: nullableText(row, 'created_by'),
    counterId: nullableText(row, 'counter_id'),
  };
}
