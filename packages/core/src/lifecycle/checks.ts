import { KeywardError } from '../errors.js';
import { type Duration, toMilliseconds } from '../internal/duration.js';
import { clampTime, isStorableText, isStorableTime } from '../internal/storable.js';
import { normalizeScopes } from '../scope/scopes.js';

/**
 * The input checks of the lifecycle and the reports, one of each: every call that takes a
 * workspace, a name, scopes, metadata or a date goes through these, so that the same bad value gets
 * the same `invalid_argument` message everywhere.
 */

const WORKSPACE_RE = /^[\w.:@-]{1,128}$/;
const HEX64_RE = /^[0-9a-f]{64}$/;
const KEY_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

export function invalidArgument(message: string): KeywardError {
  return new KeywardError('invalid_argument', { message });
}

/** A `Date` (copied) or an ISO 8601 string as a time (ms); `null` for none. */
function timeOf(value: Date | string | null | undefined, what: string): number | null {
  if (value === null || value === undefined) return null;
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(ms)) throw invalidArgument(`${what} must be a Date or an ISO 8601 string`);
  return ms;
}

/**
 * A date to store (an expiry, a sunset, a creation time): a `Date` (copied) or an ISO 8601 string,
 * within the years 1970-9999 that every store keeps alike; `null` for none.
 */
export function toDate(value: Date | string | null | undefined, what: string): Date | null {
  const ms = timeOf(value, what);
  if (ms === null) return null;
  if (!isStorableTime(ms)) throw invalidArgument(`${what} must be between 1970-01-01 and 9999-12-31 (UTC)`);
  return new Date(ms);
}

/** A bound of a read by time (`from`, `to`): moved into 1970-9999, where every stored time is. */
export function toBound(value: Date | string | null | undefined, what: string): Date | null {
  const ms = timeOf(value, what);
  return ms === null ? null : new Date(clampTime(ms));
}

/** A workspace (or owner) id: 1-128 characters that every store keeps as they are. */
export function checkWorkspace(value: unknown, what = 'workspaceId'): string {
  if (typeof value !== 'string' || !WORKSPACE_RE.test(value)) {
    throw invalidArgument(`${what} must be 1-128 characters of letters, digits, "_", "-", ".", ":" or "@"`);
  }
  return value;
}

/**
 * A key id given to a lifecycle call or a report: 1-256 characters that every store keeps as they
 * are (no control characters, no lone surrogates). No key can have another id, so no store is asked.
 */
export function checkId(value: unknown, what = 'id'): string {
  if (!isStorableText(value, 256)) throw invalidArgument(`${what} must be a key id: 1-256 characters, without control characters`);
  return value;
}

/** A cursor of a listing or a report: the `nextCursor` of a previous page (each store checks its own shape). */
export function checkCursor(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!isStorableText(value, 512)) throw invalidArgument('invalid cursor: pass the nextCursor of the previous page unchanged');
  return value;
}

/** The id of an imported key of a format that looks keys up by id (the id inside the key). */
export function isKeyId(value: unknown): value is string {
  return typeof value === 'string' && KEY_ID_RE.test(value);
}

/** A SHA-256 digest in lowercase hex. */
export function checkDigest(value: unknown): string {
  const hash = typeof value === 'string' ? value.toLowerCase() : '';
  if (!HEX64_RE.test(hash)) throw invalidArgument('hash must be 64 hexadecimal characters (a SHA-256 digest)');
  return hash;
}

export function checkName(value: unknown): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > 200) {
    throw invalidArgument('name must be a non-empty string of at most 200 characters');
  }
  return value.trim();
}

export function checkScopes(value: readonly unknown[] | undefined): string[] {
  try {
    return normalizeScopes(value);
  } catch (e) {
    throw invalidArgument((e as Error).message);
  }
}

/** Metadata as a copy through JSON (so the store keeps what it can serialize), at most 16 KiB. */
export function checkMetadata(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidArgument('metadata must be a plain object');
  let json: string;
  try {
    json = JSON.stringify(value);
  } catch {
    throw invalidArgument('metadata must be serializable as JSON');
  }
  if (json.length > 16_384) throw invalidArgument('metadata must serialize to at most 16 KiB of JSON');
  return JSON.parse(json) as Record<string, unknown>;
}

/** The expiry of a new key: `expiresAt`, else `now + expiresIn`, else none. */
export function expiry(expiresAt: Date | string | null | undefined, expiresIn: Duration | undefined, now: number): Date | null {
  if (expiresAt !== undefined && expiresAt !== null) return toDate(expiresAt, 'expiresAt');
  if (expiresIn === undefined) return null;
  let ms: number;
  try {
    ms = now + toMilliseconds(expiresIn, 'expiresIn');
  } catch (e) {
    throw invalidArgument((e as Error).message);
  }
  if (!isStorableTime(ms)) throw invalidArgument('expiresIn must end before the year 10000');
  return new Date(ms);
}

/** A page size of a listing or a report. */
export function checkLimit(value: unknown): void {
  if (value !== undefined && !(Number.isInteger(value) && (value as number) >= 1 && (value as number) <= 1000)) {
    throw invalidArgument('limit must be an integer from 1 to 1000');
  }
}
