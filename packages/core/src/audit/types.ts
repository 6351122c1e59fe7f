import type { Duration } from '../internal/duration.js';
import type { ListPage } from '../store/types.js';

/**
 * What happened. `key.*` events come from the lifecycle (one per call); `verify.*` events come from
 * requests and are sampled (see {@link AuditOptions.sampleWindow}).
 */
export type AuditEventType =
  | 'key.created'
  | 'key.imported'
  | 'key.renamed'
  /** Scopes, expiry or metadata changed (`details.fields` names them). */
  | 'key.updated'
  /** `details.successorId` and `details.successorHint` name the new key. */
  | 'key.rotated'
  | 'key.revoked'
  | 'key.deleted'
  /**
   * A key was found in public (a secret scanner's report, `keyward scan`): `details` says where
   * (`url`, `source`, `tokenType`) and what was done (`action`: `revoked`, `rotated`,
   * `grace-shortened`, `none`). Once per key and place.
   */
  | 'key.leaked'
  /**
   * A key will expire soon: `details.expiresAt`, and `details.threshold` (ms before `expiresAt`,
   * one of `expiry.thresholds`) that it crossed. Once per key, threshold and expiry date.
   */
  | 'key.expiring'
  /** A request with a key that has expired (or whose rotation grace period has ended). */
  | 'verify.expired_key'
  /** A request with a revoked key. */
  | 'verify.revoked_key'
  /** A successful request with a legacy key (worth knowing before its sunset). */
  | 'verify.legacy_key'
  /** A request with a legacy key after its sunset, refused. */
  | 'verify.legacy_sunset'
  /** A request refused because the key's quota is exhausted. */
  | 'verify.quota_exceeded'
  /** Any other refused request: `code` and `reason` say why (unknown key, missing scope, …). */
  | 'verify.failed';

/** Request metadata the application passes to `verify` (`options.request`), for the audit log. */
export interface AuditRequest {
  /** The client's address, as the application determines it (behind proxies: from `X-Forwarded-For`). */
  ip?: string;
  /** The `User-Agent` header. Any key found in it is redacted before it is kept. */
  userAgent?: string;
}

/**
 * One audit log entry. It names a key by its id and display hint only: never the key, never its
 * hash.
 */
export interface AuditEvent {
  /** Unique id (`evt_` + 20 base62 characters), stable across `onEvent` and the store. */
  readonly id: string;
  readonly type: AuditEventType;
  /** When it happened (for a sampled summary: the last occurrence). */
  readonly time: Date;
  /** The key's workspace; for an unknown key, the workspace of the route (`null` when it names none). */
  readonly workspaceId: string | null;
  readonly keyId: string | null;
  /** Last 4 characters of the key, for display. */
  readonly keyHint: string | null;
  /** Who made the change (the `actor` option of lifecycle calls). */
  readonly actor: string | null;
  /** For `verify.*` refusals: the error code (`invalid_key`, `insufficient_scope`, …). */
  readonly code: string | null;
  /** For `verify.*` refusals: the internal reason (`unknown`, `workspace_mismatch`, …). */
  readonly reason: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  /**
   * How many occurrences this entry stands for: 1, or more for a sampled summary (repeats of the
   * same event within one sample window).
   */
  readonly count: number;
  /** Event-specific data (a rename's `name` and `previousName`, a rotation's successor, …). */
  readonly details: Readonly<Record<string, unknown>>;
}

/** What an audit store reads: one workspace, newest first. */
export interface AuditRange {
  /** A workspace, or `null` for the events that have none. */
  readonly workspaceId: string | null;
  /** Events at or after this time. */
  readonly from?: Date;
  /** Events before this time. */
  readonly to?: Date;
  /** 1..1000. */
  readonly limit: number;
  /** `nextCursor` of the previous page. */
  readonly cursor?: string;
  /** Only events of these types (absent: every type; never empty). */
  readonly types?: readonly AuditEventType[];
  /** Only events of this key. */
  readonly keyId?: string;
}

/**
 * Where audit events go. The memory, PostgreSQL and Redis key stores implement it too. Every store
 * passes `describeAuditStore` from `@keyward/core/testing`. Each store bounds what it keeps (see
 * its README for the retention).
 */
export interface AuditStore {
  /**
   * What the store runs on, as OpenTelemetry's `db.system.name` names it (`postgresql`, `redis`;
   * `memory` for the memory store): instrumentation labels its store calls with it.
   */
  readonly system?: string;
  /** Appends events (in the background, in batches). */
  appendAudit(events: readonly AuditEvent[]): Promise<void>;
  /**
   * Events of one workspace in the time range, newest first (by `time`, then by arrival), only of
   * `types` and of `keyId` when given. A filtered page may hold fewer than `limit` events while
   * `nextCursor` is set (a store that scans, as Redis does, stops after a bounded amount of work):
   * following the cursors yields every matching event once.
   * @throws {KeywardError} `invalid_argument` for a cursor that is not one of its own.
   */
  readAudit(range: AuditRange): Promise<ListPage<AuditEvent>>;
}

/** The `audit` option of `createKeyward`. */
export interface AuditOptions {
  /**
   * Where events are kept; `false` keeps none (use `onEvent` alone).
   * @default the key store (memory, PostgreSQL and Redis stores implement `AuditStore`)
   */
  store?: AuditStore | false;
  /**
   * Called once per event, in the background, before it is stored: export to your own systems
   * (a queue, a SIEM). It must not throw; a throw goes to `onError`.
   */
  onEvent?: (event: AuditEvent) => void;
  /** Told about failed background writes, full buffers and throwing hooks. Never the key. */
  onError?: (error: unknown) => void;
  /** Events are written in batches at this interval. @default '1s' */
  flushInterval?: Duration;
  /**
   * Events of requests are sampled: within this window, the first event of a kind (same type,
   * code, reason, key and workspace) is kept as it is and its repeats are counted into one summary
   * event (`count` > 1) at the end of the window. A flood of requests with unknown or revoked keys
   * thus writes at most two events per kind and window.
   * @default '60s'
   */
  sampleWindow?: Duration;
  /**
   * Events waiting to be written beyond which new ones are dropped (and `onError` told), so that
   * an audit store that is down cannot exhaust memory.
   * @default 10000
   */
  maxBuffer?: number;
}

/** Query of `keyward.auditLog`. */
export interface AuditQuery {
  /** A workspace, or `null` for events with no workspace (unknown keys on routes that name none). */
  workspaceId: string | null;
  /** Events at or after this time. */
  from?: Date | string;
  /** Events before this time. */
  to?: Date | string;
  /** Page size, 1..1000. @default 100 */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
  /** Only events of these types (see {@link AUDIT_EVENT_TYPES}). @default every type */
  types?: readonly AuditEventType[];
  /** Only events of this key. */
  keyId?: string;
}

/** A page of the audit log, newest first. */
export type AuditPage = ListPage<AuditEvent>;
