import type { AuditPage, AuditQuery } from '../audit/types.js';
import type { KeywardError } from '../errors.js';
import type { KeyFormat } from '../format/types.js';
import type { Hasher } from '../hash/hasher.js';
import type { HeaderBag } from '../header/authorization.js';
import { type FoundKey, findKeys, scrubKeys } from '../helpers.js';
import { isPromiseLike } from '../internal/awaitable.js';
import { deleteKey, revokeKey, updateKey } from '../lifecycle/change.js';
import { createKey } from '../lifecycle/create.js';
import { importKey } from '../lifecycle/import.js';
import { getKey, listKeys } from '../lifecycle/read.js';
import { expiryThreshold, type ExpiringKeysQuery } from '../lifecycle/expiring.js';
import type { TokenInspection } from '../lifecycle/inspect.js';
import { rotateKey } from '../lifecycle/rotate.js';
import { inspectKey, listExpiring, reportKeyLeak, sweepExpiring } from '../lifecycle/watch.js';
import type { LeakOptions, LeakOutcome, LeakReport } from '../leaks/types.js';
import type { RenderedError, Renderer } from '../render/types.js';
import { auditLog } from '../reports/audit-log.js';
import { usageReport } from '../reports/usage.js';
import type { KeyStore, ListPage, ListQuery } from '../store/types.js';
import type { UsageQuery, UsageReport } from '../usage/types.js';
import { type LifecycleSubject, observedLifecycle, observedVerify } from '../instrument/observed.js';
import { deleted, found, imported, issued, revoked, rotated, updated } from '../instrument/lifecycle-changes.js';
import type { LifecycleTrace } from '../instrument/trace.js';
import type { LifecycleOperation } from '../instrument/types.js';
import { observed, type Verdict, verifyHeaders, verifyToken } from '../verify/pipeline.js';
import type { Engine } from './context.js';
import { type KeywardOptions, resolveOptions } from './options.js';
import type {
  ApiKey,
  ChangeOptions,
  CreatedKey,
  CreateKeyInput,
  ImportKeyInput,
  RotateOptions,
  UpdateKeyInput,
  VerifyOptions,
  VerifyResult,
  WorkspaceGuard,
} from './types.js';

export type { KeywardOptions } from './options.js';

/**
 * The engine: verifies requests and runs the lifecycle of keys (create, list, rename, revoke,
 * rotate, import). Create it once per process with {@link createKeyward}.
 *
 * A façade: the request path is `verify/pipeline.ts`, the lifecycle `lifecycle/*`, the reports
 * `reports/*`, all over one resolved context (`engine/options.ts`).
 */
export class Keyward {
  readonly store: KeyStore;
  readonly formats: readonly KeyFormat[];
  readonly hashers: readonly Hasher[];
  readonly renderer: Renderer;
  /** The sunset of legacy keys that have none of their own (`legacy.sunset`), or `null`. */
  readonly legacySunset: Date | null;
  private readonly engine: Engine;

  /** @throws {TypeError} / {RangeError} for invalid options. */
  constructor(options: KeywardOptions) {
    const engine = resolveOptions(options);
    this.engine = engine;
    this.store = engine.store;
    this.formats = engine.formats;
    this.hashers = engine.hashers;
    this.renderer = engine.renderer;
    this.legacySunset = engine.legacy.sunset;
  }

  /** Resolves once the invalidation bus listens (at once without a bus). */
  ready(): Promise<void> {
    return this.engine.cache.ready();
  }

  /**
   * Stops listening to the invalidation bus, and writes the pending usage and audit events. Does
   * not close the store.
   */
  async close(): Promise<void> {
    const { cache, usageTracker, auditRecorder, expiryWatch } = this.engine;
    await expiryWatch.settle();
    await Promise.all([cache.close(), usageTracker?.close(), auditRecorder?.close()]);
  }

  /**
   * Writes the pending usage counts, `lastUsedAt` values and audit events now (they are otherwise
   * written every few seconds, and on `close()`). On serverless platforms, hand it to
   * `waitUntil` at the end of a request. Failed writes go to the `onError` hooks, not here.
   */
  async flush(): Promise<void> {
    await this.engine.expiryWatch.settle();
    await Promise.all([this.engine.usageTracker?.flush(), this.engine.auditRecorder?.flush()]);
  }

  /**
   * Authenticates a request from its headers. Never throws for a bad request or a failing store:
   * the result says `ok: false` with the error to render.
   */
  verify(headers: HeaderBag, options?: VerifyOptions): Promise<VerifyResult> {
    const verdict = this.verifyHeaders(headers, options);
    return isPromiseLike(verdict) ? verdict : Promise.resolve(verdict);
  }

  /** The pipeline, observed when instruments are attached (one test of `probe` per verify). */
  private verifyHeaders(headers: HeaderBag, options: VerifyOptions | undefined): Verdict {
    const engine = this.engine;
    const probe = engine.probe;
    return probe === null ? verifyHeaders(engine, headers, options) : observedVerify(engine, probe, headers, '', options);
  }

  /**
   * {@link verify} for adapters on a hot path: the result itself when every step answered at once
   * (the memory store, a warm cache, no policies), else a promise of it — the same single pipeline
   * either way, nothing done twice. Never throws, like `verify`. Worth it at HTTP level: a
   * hand-written Express or Fastify check answered 1.02–1.10 × the requests/s with it than with
   * `await verify` (bench/suites/http.ts, "verifyNow / await verify").
   */
  verifyNow(headers: HeaderBag, options?: VerifyOptions): VerifyResult | Promise<VerifyResult> {
    return this.verifyHeaders(headers, options);
  }

  /** Authenticates a bare token (already taken from its header). */
  verifyToken(token: string, options?: VerifyOptions): Promise<VerifyResult> {
    const engine = this.engine;
    const probe = engine.probe;
    const verdict =
      probe === null ? observed(engine, verifyToken(engine, token, options), options) : observedVerify(engine, probe, null, token, options);
    return isPromiseLike(verdict) ? verdict : Promise.resolve(verdict);
  }

  /** Well-formed keys of this engine's formats found in text (see `findKeys`): to detect leaked keys. */
  findKeys(text: string): FoundKey[] {
    return findKeys(text, this.formats);
  }

  /** `text` with every key of this engine's formats, and anything that looks like one, redacted (see `scrubKeys`). */
  scrubKeys(text: string): string {
    return scrubKeys(text, this.formats);
  }

  /** Renders a refusal with the configured renderer. */
  render(error: KeywardError): RenderedError {
    return this.renderer(error);
  }

  /** A lifecycle call: as it is, or observed when instruments are attached (`describe` reads what it did). */
  private lifecycle<R>(
    operation: LifecycleOperation,
    subject: LifecycleSubject,
    run: (engine: Engine) => Promise<R>,
    describe?: (result: R, trace: LifecycleTrace) => void,
  ): Promise<R> {
    const { engine } = this;
    return engine.probe === null ? run(engine) : observedLifecycle(engine, engine.probe, operation, subject, run, describe);
  }

  /**
   * Issues a new key. The plaintext is in the result only: store it nowhere.
   * @throws {KeywardError} `invalid_argument` for bad input (including an attempt to create a legacy key).
   */
  create(input: CreateKeyInput): Promise<CreatedKey> {
    return this.lifecycle('create', { workspaceId: input?.workspaceId }, (engine) => createKey(engine, input), issued);
  }

  /**
   * Imports a key whose hash was made elsewhere (another system, a migration), optionally as a
   * legacy key with a sunset.
   */
  import(input: ImportKeyInput): Promise<ApiKey> {
    return this.lifecycle('import', { keyId: input?.id, workspaceId: input?.workspaceId }, (engine) => importKey(engine, input), imported);
  }

  /** A key by id, or `null`. With `workspaceId`, a key of another workspace is `null` too. */
  get(id: string, guard?: WorkspaceGuard): Promise<ApiKey | null> {
    return this.lifecycle('get', { keyId: id, workspaceId: guard?.workspaceId }, (engine) => getKey(engine, id, guard), found);
  }

  /** Keys of a workspace (or of a legacy owner), oldest first, without hashes. */
  list(query: ListQuery): Promise<ListPage<ApiKey>> {
    return this.lifecycle('list', { workspaceId: query?.workspaceId }, (engine) => listKeys(engine, query));
  }

  /**
   * Requests per UTC day of one key or of one workspace, from the usage store (the key store
   * unless `usage.store` says otherwise; readable even where this engine does not track). Counts
   * of the last `usage.flushInterval` may not be written yet: `flush()` first for this process's.
   *
   * @example
   * ```ts
   * const { total, days } = await keyward.usage({ workspaceId: 'ws_1', from: '2026-11-01', to: '2026-11-30' });
   * ```
   * @throws {KeywardError} `invalid_argument` for a bad range (more than 400 days, `to` before `from`).
   * @throws {TypeError} when no usage store is configured and the key store is not one.
   */
  usage(query: UsageQuery): Promise<UsageReport> {
    return this.lifecycle('usage', { keyId: query?.keyId, workspaceId: query?.workspaceId }, (engine) => usageReport(engine, query));
  }

  /**
   * The audit log of one workspace, newest first, from the audit store (the key store unless
   * `audit.store` says otherwise). Events of the last `audit.flushInterval` may not be written yet.
   *
   * @example
   * ```ts
   * let page = await keyward.auditLog({ workspaceId: 'ws_1', from: '2026-11-01' });
   * while (page.nextCursor) page = await keyward.auditLog({ workspaceId: 'ws_1', cursor: page.nextCursor });
   * ```
   * @throws {KeywardError} `invalid_argument` for a bad query or cursor.
   * @throws {TypeError} when no audit store is configured and the key store is not one.
   */
  auditLog(query: AuditQuery): Promise<AuditPage> {
    return this.lifecycle('auditLog', { workspaceId: query?.workspaceId }, (engine) => auditLog(engine, query));
  }

  /** Renames a key. Legacy keys cannot be changed. */
  rename(id: string, name: string, guard?: ChangeOptions): Promise<ApiKey> {
    return this.update(id, { name }, guard);
  }

  /** Changes name, scopes, expiry or metadata of a key. Legacy keys cannot be changed. */
  update(id: string, input: UpdateKeyInput, guard?: ChangeOptions): Promise<ApiKey> {
    return this.lifecycle('update', { keyId: id, workspaceId: guard?.workspaceId }, (engine) => updateKey(engine, id, input, guard), updated);
  }

  /** Revokes a key at once. Revoking a revoked key changes nothing and returns it. */
  revoke(id: string, guard?: ChangeOptions): Promise<ApiKey> {
    return this.lifecycle('revoke', { keyId: id, workspaceId: guard?.workspaceId }, (engine) => revokeKey(engine, id, guard), revoked);
  }

  /** Deletes a key for good. Returns whether there was one. */
  delete(id: string, guard?: ChangeOptions): Promise<boolean> {
    return this.lifecycle('delete', { keyId: id, workspaceId: guard?.workspaceId }, (engine) => deleteKey(engine, id, guard), deleted);
  }

  /**
   * Replaces a key by a new one with the same settings. The old key stops at once, or at the end of
   * `gracePeriod`. A key is rotated once: a second rotation of the same key is a `conflict`.
   */
  rotate(id: string, options: RotateOptions = {}): Promise<CreatedKey & { previous: ApiKey }> {
    return this.lifecycle('rotate', { keyId: id, workspaceId: options.workspaceId }, (engine) => rotateKey(engine, id, options), rotated);
  }

  /**
   * What a token is — malformed, unknown, or a key and its state — read from the store, never
   * from the cache. Not a verify: no usage, no quota, no audit event. For `keyward scan` and
   * leak reports.
   * @throws {KeywardError} `store_unavailable`.
   */
  inspect(token: string): Promise<TokenInspection> {
    return inspectKey(this.engine, token);
  }

  /**
   * Acts on a key found in public (a secret scanner's report): revokes it (or rotates it with a
   * grace period, or only tells), records `key.leaked` and calls `onLeak` — once per key and place,
   * across processes. See `@keyward/secret-scanning` for GitHub's partner program.
   * @throws {KeywardError} `store_unavailable` (retry the report: nothing is done twice).
   */
  reportLeak(report: LeakReport, options?: LeakOptions): Promise<LeakOutcome> {
    return reportKeyLeak(this.engine, report, options);
  }

  /**
   * Keys that expire within `within` from now (still working: not revoked, not retired by a
   * rotation), soonest first — of one workspace, or of all.
   *
   * @example
   * ```ts
   * const { items } = await keyward.expiring({ within: '7d', workspaceId: 'ws_1' });
   * ```
   * @throws {KeywardError} `invalid_argument` for a bad query. @throws {TypeError} without a
   * workspaceId on a store that has no `listExpiring`.
   */
  expiring(query: ExpiringKeysQuery): Promise<ListPage<ApiKey>> {
    return listExpiring(this.engine, query);
  }

  /**
   * Records `key.expiring` for every key that crossed a threshold and was not warned about yet
   * (by this process or another). Run it from a scheduler (hourly is plenty); requests with an
   * expiring key record the same events as they come, so the sweep catches the keys not in use.
   * @throws {TypeError} when the audit log is off. @throws {KeywardError} `store_unavailable`.
   */
  sweepExpiring(options: { workspaceId?: string } = {}): Promise<{ keys: number; warned: number }> {
    return sweepExpiring(this.engine, options);
  }

  /** The expiry thresholds (`expiry.thresholds`), in ms before `expiresAt`, largest first. */
  get expiryThresholds(): readonly number[] {
    return this.engine.expiryWatch.thresholds;
  }

  /**
   * Whether a key still works but expires within the largest threshold (30 days by default):
   * what a dashboard shows in amber.
   */
  expiresSoon(key: Pick<ApiKey, 'expiresAt' | 'revokedAt'>): boolean {
    return key.revokedAt === null && expiryThreshold(key.expiresAt, this.engine.now(), this.engine.expiryWatch.thresholds) !== null;
  }
}

/**
 * Creates the engine.
 *
 * @example
 * ```ts
 * const keyward = createKeyward({ store: memoryStore(), format: prefixedFormat({ prefix: 'tipar' }) });
 * const { key } = await keyward.create({ workspaceId: 'ws_1', name: 'prod' });
 * const result = await keyward.verify({ authorization: `Bearer ${key}` });
 * ```
 */
export function createKeyward(options: KeywardOptions): Keyward {
  return new Keyward(options);
}
