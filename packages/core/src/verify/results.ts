import type { Engine } from '../engine/context.js';
import { toPublic } from '../engine/public-view.js';
import type { VerifyFailure, VerifySuccess } from '../engine/types.js';
import { KeywardError, type KeywardErrorCode } from '../errors.js';
import type { ParsedKey } from '../format/types.js';
import type { StoredKey } from '../store/types.js';
import { sunsetOf } from './decide.js';
import { upgradeHash } from './upgrade.js';

/** The results the pipeline answers with: a refusal, a store failure, a success. */

const EMPTY_HEADERS: Readonly<Record<string, string>> = Object.freeze({});

export function fail(code: KeywardErrorCode, reason?: string, keyId?: string): VerifyFailure {
  return { ok: false, error: new KeywardError(code, { reason, keyId }) };
}

/** A store (or `ownsWorkspace`, or a hasher) that failed: a 503 with `Retry-After`, never a pass, never a 401. */
export function unavailable(engine: Engine, cause: unknown): VerifyFailure {
  return { ok: false, error: new KeywardError('store_unavailable', { cause, retryAfter: engine.retryAfter }) };
}

/**
 * The success of a key that passed every check (before the policies): its public view and the
 * deprecation headers of a legacy key. A key hashed by an older hasher is upgraded on the way.
 */
export function succeed(engine: Engine, record: StoredKey, parsed: ParsedKey): VerifySuccess {
  if (record.hashVersion !== engine.currentVersion) upgradeHash(engine, record, parsed.secret);
  const headers = record.legacy ? legacyHeaders(engine, record) : EMPTY_HEADERS;
  // A key about to expire says so (expiry.header); one headers object per expiry date, reused.
  return {
    ok: true,
    key: toPublic(engine, record),
    headers: record.expiresAt === null ? headers : engine.expiryWatch.headers(record.expiresAt, engine.now(), headers),
  };
}

function legacyHeaders(engine: Engine, record: StoredKey): Record<string, string> {
  const { deprecatedAt, link, sunset } = engine.legacy;
  const since = deprecatedAt ?? record.createdAt;
  // RFC 9745 §2.1: an RFC 9651 Date, `@` + Unix seconds. RFC 8594 §3: an HTTP-date.
  const headers: Record<string, string> = { deprecation: `@${Math.floor(since.getTime() / 1000)}` };
  const end = sunsetOf(record, sunset);
  if (end !== null) headers.sunset = end.toUTCString();
  if (link) headers.link = `<${link}>; rel="deprecation"; type="text/html"`;
  return headers;
}
