import { KeywardError, type AuditEvent, type AuditEventType, type AuditRange, type AuditStore, type ListPage } from '@keyward/core/store';
import type { Cluster, Redis } from 'ioredis';
import { workspaceTag } from './internal/codec.js';
import { AUDIT_APPEND, defineUsageScripts } from './internal/usage-scripts.js';

/** Where an event's fields go in a stream entry (absent when null). */
const FIELDS = [
  ['id', 'id'],
  ['type', 'type'],
  ['workspaceId', 'ws'],
  ['keyId', 'key'],
  ['keyHint', 'hint'],
  ['actor', 'actor'],
  ['code', 'code'],
  ['reason', 'reason'],
  ['ip', 'ip'],
  ['userAgent', 'ua'],
] as const;

const STREAM_ID_RE = /^(\d{1,16})-(\d{1,20})$/;
/** The largest part of a stream id: Redis refuses anything above it (an outage alarm, if passed on). */
const U64_MAX = 18446744073709551615n;

/** Whether a cursor is a stream id Redis takes (both parts within 64 bits). */
function isStreamId(cursor: string): boolean {
  const m = STREAM_ID_RE.exec(cursor);
  return m !== null && BigInt(m[2]!) <= U64_MAX;
}
/** Entries read per round trip of a filtered read, and at most per call (then the page is short). */
const FILTER_BATCH = 500;
const FILTER_BUDGET = 5000;

/** Retention of the Redis audit log. */
export interface RedisAuditRetention {
  /** Entries kept per workspace (approximately: trimmed with `MAXLEN ~`). */
  readonly maxLength: number;
  /** Days an entry is kept; a workspace's stream expires this long after its last event. */
  readonly days: number;
}

function encode(event: AuditEvent): string[] {
  const out: string[] = ['t', String(event.time.getTime()), 'n', String(event.count)];
  for (const [field, name] of FIELDS) {
    const value = event[field];
    if (value !== null && value !== undefined) out.push(name, value);
  }
  if (event.details && Object.keys(event.details).length > 0) out.push('d', JSON.stringify(event.details));
  return out;
}

function decode(flat: readonly string[]): AuditEvent {
  const f: Record<string, string> = Object.create(null) as Record<string, string>;
  for (let i = 0; i + 1 < flat.length; i += 2) f[flat[i]!] = flat[i + 1]!;
  const t = Number(f.t);
  if (f.id === undefined || f.type === undefined || !Number.isSafeInteger(t)) {
    throw new Error('the Redis audit stream holds a malformed entry');
  }
  return {
    id: f.id,
    type: f.type as AuditEventType,
    time: new Date(t),
    workspaceId: f.ws ?? null,
    keyId: f.key ?? null,
    keyHint: f.hint ?? null,
    actor: f.actor ?? null,
    code: f.code ?? null,
    reason: f.reason ?? null,
    ip: f.ip ?? null,
    userAgent: f.ua ?? null,
    count: Number(f.n ?? 1),
    details: f.d === undefined ? {} : (JSON.parse(f.d) as Record<string, unknown>),
  };
}

/**
 * The audit log on Redis: one STREAM per workspace (`{ws:<workspace>}audit`, on the slot of the
 * workspace's keys; `{nows}audit` for events without a workspace). Entry ids carry the event time,
 * so a time range is an `XREVRANGE`; every append trims by length and age and renews the TTL.
 */
export function redisAudit(client: Redis | Cluster, prefix: string, retention: RedisAuditRetention): AuditStore {
  const call = defineUsageScripts(client);
  const stream = (workspaceId: string | null) => `${prefix}${workspaceId === null ? '{nows}' : workspaceTag(workspaceId)}audit`;
  const keepMs = Math.round(retention.days * 86_400_000);

  return {
    async appendAudit(events: readonly AuditEvent[]): Promise<void> {
      const perStream = new Map<string, (string | number)[]>();
      for (const event of events) {
        const key = stream(event.workspaceId);
        let args = perStream.get(key);
        if (args === undefined) {
          args = [];
          perStream.set(key, args);
        }
        const fields = encode(event);
        args.push(event.time.getTime(), fields.length / 2, ...fields);
      }
      const cutoff = Date.now() - keepMs;
      await Promise.all([...perStream].map(([key, args]) => call(AUDIT_APPEND, [key], [retention.maxLength, Math.max(0, cutoff), keepMs, ...args])));
    },

    async readAudit(range: AuditRange): Promise<ListPage<AuditEvent>> {
      let end = range.to === undefined ? '+' : `(${range.to.getTime()}-0`;
      if (range.cursor !== undefined) {
        if (!isStreamId(range.cursor)) {
          throw new KeywardError('invalid_argument', { message: 'invalid cursor: pass the nextCursor of the previous page unchanged' });
        }
        end = `(${range.cursor}`;
      }
      // Nothing comes before the first stream id (Redis refuses an exclusive end there).
      if (end === '(0-0') return { items: [], nextCursor: null };
      const start = range.from === undefined ? '-' : `${Math.max(0, range.from.getTime())}-0`;
      const key = stream(range.workspaceId);
      if (range.types === undefined && range.keyId === undefined) {
        const entries = (await client.xrevrange(key, end, start, 'COUNT', range.limit + 1)) as [string, string[]][];
        const page = entries.slice(0, range.limit);
        return {
          items: page.map(([, flat]) => decode(flat)),
          nextCursor: entries.length > range.limit ? page[page.length - 1]![0] : null,
        };
      }
      // A stream has no secondary index: read it newest first in batches and keep the matches, up
      // to a bounded number of entries per call; the cursor then resumes after the last one read.
      const matches: [string, AuditEvent][] = [];
      let scanned = 0;
      for (;;) {
        const batch = Math.min(Math.max(range.limit + 1, FILTER_BATCH), FILTER_BUDGET - scanned);
        const entries = (await client.xrevrange(key, end, start, 'COUNT', batch)) as [string, string[]][];
        scanned += entries.length;
        for (const [id, flat] of entries) {
          const event = decode(flat);
          if ((range.types === undefined || range.types.includes(event.type)) && (range.keyId === undefined || event.keyId === range.keyId)) {
            matches.push([id, event]);
            if (matches.length > range.limit) break;
          }
        }
        if (matches.length > range.limit) {
          const page = matches.slice(0, range.limit);
          return { items: page.map(([, e]) => e), nextCursor: page[page.length - 1]![0] };
        }
        if (entries.length < batch) return { items: matches.map(([, e]) => e), nextCursor: null };
        const last = entries[entries.length - 1]![0];
        if (scanned >= FILTER_BUDGET) return { items: matches.map(([, e]) => e), nextCursor: last };
        end = `(${last}`;
      }
    },
  };
}
