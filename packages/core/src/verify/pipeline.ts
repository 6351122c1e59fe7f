import type { Engine } from '../engine/context.js';
import type { VerifyOptions, VerifyResult } from '../engine/types.js';
import { refusedKey } from '../audit/key-facts.js';
import { KeywardError } from '../errors.js';
import { isParseFailure, type KeyFormat, type ParsedKey } from '../format/types.js';
import { type HeaderBag, readBearerToken } from '../header/authorization.js';
import { chain } from '../internal/awaitable.js';
import { bounded } from '../internal/bounded.js';
import type { StoredKey } from '../store/types.js';
import { ASK_OWNER, decide, decideAfterTenancy, environmentMismatch } from './decide.js';
import { type Counted, lookupAndCount } from './fused.js';
import { parseWhole, pickFormat } from './format.js';
import { lookup, matchCached } from './lookup.js';
import { observe } from './observe.js';
import { fail, succeed, unavailable } from './results.js';

/**
 * The verify pipeline of docs/design.md, top to bottom: header → format → hash → lookup → decide →
 * policies → observe. Each step answers at once when it can (the memory store, a warm cache, fixed
 * policies) and with a promise when it waits; the steps join through `chain` (internal/awaitable).
 * A failure at any step consumes nothing after it. Never throws for a bad request or a failing
 * store: the result says `ok: false`.
 */

/** A verify's answer: the result itself when every step answered at once, else a promise of it. */
export type Verdict = VerifyResult | Promise<VerifyResult>;

/** Header → … → observe. */
export function verifyHeaders(engine: Engine, headers: HeaderBag, options: VerifyOptions | undefined): Verdict {
  // Header: scheme, token68 grammar, length cap (no I/O).
  const token = readBearerToken(headers, engine.header);
  return observed(engine, typeof token === 'string' ? verifyToken(engine, token, options) : fail(token.error), options);
}

/** Observe: usage and audit, when either is on; else the verdict as it is (no work at all). */
export function observed(engine: Engine, verdict: Verdict, options: VerifyOptions | undefined): Verdict {
  if (engine.usageTracker === null && engine.auditRecorder === null) return verdict;
  return chain(verdict, observe, undefined, engine, options);
}

/**
 * Format → hash → lookup → decide → policies, for a token taken from its header. A step that throws
 * (a store, a hasher, a format) fails closed like one that rejects: 503, never a pass.
 */
export function verifyToken(engine: Engine, token: string, options: VerifyOptions | undefined): Verdict {
  try {
    // Format: the first that claims the token, and its length cap (no I/O).
    const format = engine.single ?? pickFormat(engine.formats, token);
    if (format === null || token.length > format.maxLength) return fail('malformed_key');
    // Observed verify only (an engine view): which format read the token.
    if (engine.trace !== null) engine.trace.format = format.name;

    // Hash, once for every path below (6f9f051), for a hash format whose secret is the whole
    // token; when the lookup then costs nothing, the checksum is checked after it (verifyFree).
    let digest: string | undefined;
    const quick = parseWhole(format, token);
    if (quick !== null) {
      digest = engine.hashers[0]!.hash(token);
      const early = verifyFree(engine, format, quick, token, digest, options);
      if (early !== undefined) return early;
    }

    // Parse: prefix, environment, checksum (no I/O): before a round trip, a mistyped key costs no query.
    const parsed = format.parse(token);
    if (isParseFailure(parsed)) return fail(parsed.error);
    if (environmentMismatch(parsed, options)) return fail('environment_mismatch');

    // Lookup and counters in one round trip, on a cache miss of a fused store (see lookupAndCount).
    if (engine.fused !== null && format.lookup === 'hash') {
      digest ??= engine.hashers[0]!.hash(parsed.secret);
      const fused = lookupAndCount(engine, format, parsed, options, digest);
      if (fused !== null)
        return fused.then(({ record, counted }) => decideAndPass(record, engine, format, parsed, options, counted), engine.failClosed);
    }

    // Lookup: one indexed read, through the cache.
    return chain(lookup(engine, format, parsed, digest), decideAndPass, engine.failClosed, engine, format, parsed, options);
  } catch (cause) {
    return unavailable(engine, cause);
  }
}

/**
 * The lookup when it costs nothing (a store that answers from memory, or a cache hit, which is then
 * the lookup's answer: one cache read per verify, 984369e), with the checksum checked after it;
 * `undefined` when it would be a round trip. A key found by the hash of its whole text is a key
 * that was issued, so its checksum was good: the alphabet and CRC pass (~0.4 µs per request in a
 * Fastify server, 154c1fb) runs only for a key that is not found, to tell a mistyped key
 * (`malformed_key`) from an unknown one (`invalid_key`).
 */
function verifyFree(engine: Engine, format: KeyFormat, quick: ParsedKey, token: string, digest: string, options: VerifyOptions | undefined) {
  const local = engine.store.local === true;
  const hit = local ? undefined : engine.cache.peek(digest);
  if (!local && hit === undefined) return undefined;
  if (environmentMismatch(quick, options)) return fail('environment_mismatch');
  const found = hit === undefined ? lookup(engine, format, quick, digest) : matchCached(engine, hit, token, digest);
  return chain(found, checkedAfter, engine.failClosed, engine, format, quick, token, options);
}

/** After a free lookup: a key not found gets its checksum checked, to tell a mistyped key from an unknown one. */
function checkedAfter(
  record: StoredKey | null,
  engine: Engine,
  format: KeyFormat,
  quick: ParsedKey,
  token: string,
  options: VerifyOptions | undefined,
) {
  if (record === null || record.format !== format.name) {
    const full = format.parse(token);
    if (isParseFailure(full)) return fail(full.error);
  }
  return decideAndPass(record, engine, format, quick, options);
}

/** Decide (pure: state, tenancy, environment, scopes), then the policies of a key that passed. */
function decideAndPass(
  record: StoredKey | null,
  engine: Engine,
  format: KeyFormat,
  parsed: ParsedKey,
  options: VerifyOptions | undefined,
  counted?: Counted,
): Verdict {
  // Observed verify only (an engine view): the key the lookup found.
  if (engine.trace !== null) engine.trace.found(record);
  // Counters consumed with the lookup were judged at the plan's time: so is the key.
  const now = counted?.plan.now ?? engine.now();
  const decision = decide(record, format, parsed, options, now, engine.legacy.sunset, engine.ownsWorkspace !== undefined);
  if (decision === null) return policies(engine, record!, parsed, options, counted);
  if (decision === ASK_OWNER) return askOwner(engine, record!, parsed, options!, counted);
  // A refusal of a key at hand carries its hint and workspace to the audit log (no store read there).
  return { ok: false, error: decision.keyId === undefined ? decision : refusedKey(decision, record!) };
}

/** Tenancy of a legacy key of an owner: the application says whether the owner owns the workspace. */
async function askOwner(engine: Engine, record: StoredKey, parsed: ParsedKey, options: VerifyOptions, counted: Counted | undefined) {
  let owned: boolean;
  try {
    // The application's answer, bounded like a store's (it is usually a query).
    owned = await bounded(engine.ownsWorkspace!(record.ownerId!, options.workspaceId!), engine.storeTimeout, 'ownsWorkspace');
  } catch (cause) {
    return unavailable(engine, cause);
  }
  if (!owned)
    return { ok: false as const, error: refusedKey(new KeywardError('invalid_key', { reason: 'workspace_mismatch', keyId: record.id }), record) };
  const refusal = decideAfterTenancy(record, parsed, options, counted?.plan.now ?? engine.now(), engine.legacy.sunset);
  return refusal === null ? policies(engine, record, parsed, options, counted) : { ok: false as const, error: refusedKey(refusal, record) };
}

/** Policies: rate limits, then the quota (counted already when the lookup consumed them). */
function policies(engine: Engine, record: StoredKey, parsed: ParsedKey, options: VerifyOptions | undefined, counted: Counted | undefined): Verdict {
  const success = succeed(engine, record, parsed);
  const enforcer = engine.enforcer;
  if (enforcer === null) return success;
  const cost = options?.cost ?? 1;
  if (!Number.isInteger(cost) || cost < 0)
    return { ok: false, error: new KeywardError('invalid_argument', { message: 'cost must be a non-negative integer' }) };
  const dryRun = options?.dryRun === true;
  // An observed verify's view counts through its recording counters (engine.counters); else the enforcer's own.
  const counters = engine.counters ?? undefined;
  return counted === undefined
    ? enforcer.apply(success, engine.now(), cost, dryRun, undefined, counters)
    : enforcer.apply(success, counted.plan.now, cost, dryRun, counted, counters);
}
