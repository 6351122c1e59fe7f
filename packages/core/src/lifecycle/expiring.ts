import { isStorableText } from '../internal/storable.js';
import type { AuditInput } from '../audit/recorder.js';
import type { ApiKey } from '../engine/types.js';
import { KeywardError } from '../errors.js';
import { type Duration, toMilliseconds } from '../internal/duration.js';
import type { ExpiringQuery, KeyStore, ListPage, StoredKey } from '../store/types.js';
import { expiringPage, isExpiringIn } from './expiring-page.js';
import type { OnceGate } from './once.js';

/** The `expiry` option of `createKeyward`: warnings before keys expire. */
export interface ExpiryOptions {
  /**
   * How long before `expiresAt` a key counts as expiring: a `key.expiring` audit event is
   * recorded once per key and threshold (across processes), when a request uses the key past a
   * threshold or when `keyward.sweepExpiring()` finds it.
   * @default ['30d', '7d', '1d']
   */
  thresholds?: readonly Duration[];
  /**
   * The response header sent with every request whose key expires within the last (smallest)
   * threshold: its value is the key's `expiresAt` as an HTTP-date (RFC 9110 §5.6.7), e.g.
   * `API-Key-Expires: Tue, 01 Dec 2026 00:00:00 GMT`. `false` sends none.
   * @default 'api-key-expires'
   */
  header?: string | false;
}

/** Query of `keyward.expiring`. */
export interface ExpiringKeysQuery {
  /** Keys that expire within this time from now (`'30d'`), at most 400 days. */
  within: Duration;
  /**
   * Keys of one workspace. Without it, keys of every workspace — which needs a store that
   * implements `listExpiring` (memory, PostgreSQL and Redis stores do).
   */
  workspaceId?: string;
  /** Page size, 1..1000. @default 100 */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export const DEFAULT_EXPIRY_THRESHOLDS: readonly Duration[] = ['30d', '7d', '1d'];
const HEADER_RE = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;
const MAX_WITHIN = 400 * 86_400_000;
/** Keys × thresholds remembered as warned in this process (they need no claim again). */
const MAX_SEEN = 50_000;
const FALLBACK_PAGES = 1000;

/**
 * The smallest threshold that a key expiring at `expiresAt` has crossed at `now` (ms before the
 * expiry), or `null` — not expiring within any threshold, expired already, or no expiry. For
 * dashboards: a key with a threshold crossed is the one to show in amber.
 *
 * @param thresholds ms, any order.
 */
export function expiryThreshold(expiresAt: Date | null, now: number, thresholds: readonly number[]): number | null {
  if (expiresAt === null) return null;
  const left = expiresAt.getTime() - now;
  if (!(left > 0)) return null;
  let crossed: number | null = null;
  for (const t of thresholds) if (left <= t && (crossed === null || t < crossed)) crossed = t;
  return crossed;
}

/** What {@link ExpiryWatch} needs of the engine. */
export interface ExpiryHost {
  now(): number;
  /** The gate that makes "once" hold across processes. */
  once(): OnceGate;
  /** Records an audit event; `null` when the audit log is off (then nothing is ever recorded). */
  readonly audit: ((input: AuditInput) => void) | null;
  /** Told when a claim fails (the store is down): the warning is tried again on a later use. */
  onError(error: unknown): void;
}

/**
 * Expiry warnings: the response header of keys about to expire, and `key.expiring` events, each
 * once per key, threshold and expiry date — the claim goes through the counter store, so "once"
 * holds across processes; this process also remembers what it warned about, so a busy key costs
 * one claim per threshold, not one per request.
 */
export class ExpiryWatch {
  /** Thresholds in ms, largest first. */
  readonly thresholds: readonly number[];
  /** The header name (lowercase), or `null`. */
  readonly header: string | null;
  private readonly last: number;
  private readonly seen = new Set<string>();
  /**
   * Per key object (the engine hands out one per stored record): the threshold warned about, and
   * the success headers. A request with a key in its last day costs two WeakMap reads, not a
   * string, a date format and an object (measured with verifySync on the memory store, as a ratio
   * to a bare SHA-256 of the key in the same run: 0.23 → 0.36 with the header, 0.155 → 0.31–0.35
   * with the audit log on; a key without expiry: 0.39–0.42).
   */
  private readonly warnedFor = new WeakMap<object, number>();
  private readonly headersFor = new WeakMap<object, Readonly<Record<string, string>>>();
  /** Claims in flight (started by requests), so that `settle()` can wait for their events. */
  private readonly pending = new Set<Promise<unknown>>();

  /** @throws {RangeError} for thresholds that are not positive durations, or a header name that is no token. */
  constructor(
    options: ExpiryOptions | undefined,
    private readonly host: ExpiryHost,
  ) {
    const thresholds = (options?.thresholds ?? DEFAULT_EXPIRY_THRESHOLDS).map((t) => toMilliseconds(t, 'expiry.thresholds'));
    if (thresholds.length === 0 || thresholds.some((t) => !(t > 0))) throw new RangeError('expiry.thresholds must be positive durations');
    this.thresholds = Object.freeze([...new Set(thresholds)].sort((a, b) => b - a));
    this.last = this.thresholds[this.thresholds.length - 1]!;
    const header = options?.header === undefined ? 'api-key-expires' : options.header;
    if (header !== false && (typeof header !== 'string' || !HEADER_RE.test(header))) {
      throw new RangeError('expiry.header must be an HTTP field name (letters, digits, "-") or false');
    }
    this.header = header === false ? null : header.toLowerCase();
  }

  /**
   * The success headers of a key: `base` as it is, or with the expiry header when the key expires
   * within the last threshold.
   */
  headers(expiresAt: Date, now: number, base: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
    if (this.header === null) return base;
    const left = expiresAt.getTime() - now;
    if (!(left > 0 && left <= this.last)) return base;
    // Other headers (a legacy key's): a new object. None: one object per expiry date, reused.
    for (const _ in base) return { ...base, [this.header]: expiresAt.toUTCString() };
    let headers = this.headersFor.get(expiresAt);
    if (headers === undefined) {
      headers = Object.freeze({ [this.header]: expiresAt.toUTCString() });
      this.headersFor.set(expiresAt, headers);
    }
    return headers;
  }

  /** A request used this key: warn in the background if it crossed a threshold (never slows the request). */
  observe(key: ApiKey): void {
    if (this.host.audit === null || key.expiresAt === null) return;
    const due = this.due(key, this.host.now());
    if (due === null) return;
    const claim = this.claim(key, due).catch((error: unknown) => this.host.onError(error));
    this.pending.add(claim);
    void claim.finally(() => this.pending.delete(claim));
  }

  /** Waits for the claims that requests started (before the audit log is flushed or closed). */
  async settle(): Promise<void> {
    // Bounded: requests may start new claims meanwhile; those of a few rounds are enough.
    for (let round = 0; round < 10 && this.pending.size > 0; round++) await Promise.all([...this.pending]);
  }

  /**
   * Records `key.expiring` for the smallest threshold the key has crossed, unless this process or
   * another did already. Returns whether this call recorded it.
   * @throws the counter store's error (nothing is remembered then: a later call tries again).
   */
  warn(key: ApiKey): Promise<boolean> {
    if (this.host.audit === null) return Promise.resolve(false);
    const due = this.due(key, this.host.now());
    return due === null ? Promise.resolve(false) : this.claim(key, due);
  }

  /** The threshold a key is due a warning for, unless this process warned already (synchronous: on the request path). */
  private due(key: ApiKey, now: number): { threshold: number; memo: string; now: number } | null {
    if (key.revokedAt !== null || key.rotatedToId !== null) return null;
    const threshold = expiryThreshold(key.expiresAt, now, this.thresholds);
    if (threshold === null || this.warnedFor.get(key) === threshold) return null;
    this.warnedFor.set(key, threshold);
    const memo = `${key.id}\u0000${threshold}\u0000${key.expiresAt!.getTime()}`;
    if (this.seen.has(memo)) return null;
    if (this.seen.size >= MAX_SEEN) this.seen.clear();
    this.seen.add(memo);
    return { threshold, memo, now };
  }

  private async claim(key: ApiKey, due: { threshold: number; memo: string; now: number }): Promise<boolean> {
    const { threshold, now } = due;
    const expiresAt = key.expiresAt!.getTime();
    let first: boolean;
    try {
      // The expiry date is part of the name: a key whose expiry is moved is warned again.
      first = await this.host.once().claim(key.id, `expiring:${key.id}:${threshold}:${expiresAt}`, now, expiresAt + 86_400_000);
    } catch (error) {
      this.seen.delete(due.memo);
      this.warnedFor.delete(key);
      throw error;
    }
    if (!first) return false;
    this.host.audit?.({
      type: 'key.expiring',
      workspaceId: key.workspaceId,
      keyId: key.id,
      keyHint: key.hint,
      details: { expiresAt: key.expiresAt!.toISOString(), threshold, remainingMs: expiresAt - now },
    });
    return true;
  }

  /**
   * Warns about every key that `page` lists (the keys expiring within the largest threshold),
   * page by page. Returns how many keys were looked at and how many warnings this call recorded.
   */
  async sweep(page: (cursor: string | undefined) => Promise<ListPage<ApiKey>>): Promise<{ keys: number; warned: number }> {
    let keys = 0;
    let warned = 0;
    let cursor: string | undefined;
    for (let pages = 0; pages < 100_000; pages++) {
      const { items, nextCursor } = await page(cursor);
      keys += items.length;
      for (const key of items) if (await this.warn(key)) warned++;
      if (nextCursor === null) break;
      cursor = nextCursor;
    }
    return { keys, warned };
  }
}

/** What {@link expiringKeys} needs of the engine. */
export interface ExpiringHost {
  readonly store: KeyStore;
  now(): number;
  /** A store call, its failures turned into `store_unavailable`. */
  guarded<T>(action: () => Promise<T>): Promise<T>;
  checkWorkspace(value: unknown): string;
  toPublic(record: StoredKey): ApiKey;
}

function invalid(message: string): KeywardError {
  return new KeywardError('invalid_argument', { message });
}

/**
 * `keyward.expiring`: keys that expire within `within` from now, soonest first.
 * @throws {KeywardError} `invalid_argument` for a bad query; {TypeError} for a query of every
 * workspace on a store without `listExpiring`.
 */
export async function expiringKeys(host: ExpiringHost, query: ExpiringKeysQuery): Promise<ListPage<ApiKey>> {
  if (!query || typeof query !== 'object') throw invalid('expiring needs { within }');
  let within: number;
  try {
    within = toMilliseconds(query.within, 'within');
  } catch (error) {
    throw invalid((error as Error).message);
  }
  if (!(within > 0 && within <= MAX_WITHIN)) throw invalid('within must be more than 0 and at most 400 days');
  const workspaceId = query.workspaceId === undefined ? undefined : host.checkWorkspace(query.workspaceId);
  const limit = query.limit ?? 100;
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= 1000)) throw invalid('limit must be an integer from 1 to 1000');
  if (query.cursor !== undefined && !isStorableText(query.cursor, 512))
    throw invalid('invalid cursor: pass the nextCursor of the previous page unchanged');
  const now = host.now();
  const storeQuery: ExpiringQuery = {
    after: new Date(now),
    before: new Date(now + within),
    limit,
    ...(workspaceId !== undefined ? { workspaceId } : {}),
    ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
  };
  const store = host.store;
  let page: ListPage<StoredKey>;
  if (typeof store.listExpiring === 'function') page = await host.guarded(() => store.listExpiring!(storeQuery));
  else if (workspaceId !== undefined) page = await host.guarded(() => listExpiringFromListing(store, storeQuery));
  else throw new TypeError('keyward.expiring without a workspaceId needs a store that implements listExpiring (memory, PostgreSQL and Redis do)');
  return { items: page.items.map((r) => host.toPublic(r)), nextCursor: page.nextCursor };
}

/** For stores without `listExpiring`: the workspace's whole listing, filtered in code. */
async function listExpiringFromListing(store: KeyStore, query: ExpiringQuery): Promise<ListPage<StoredKey>> {
  const all: StoredKey[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < FALLBACK_PAGES; pages++) {
    const page = await store.list({ workspaceId: query.workspaceId!, includeRevoked: false, limit: 1000, ...(cursor ? { cursor } : {}) });
    for (const key of page.items) if (isExpiringIn(key, query)) all.push(key);
    if (page.nextCursor === null) break;
    cursor = page.nextCursor;
  }
  return expiringPage(all, query);
}
