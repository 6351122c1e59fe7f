import { toMilliseconds } from '../internal/duration.js';
import { randomString } from '../internal/random.js';
import type { AuditEvent, AuditEventType, AuditOptions, AuditRequest, AuditStore } from './types.js';

/** Distinct sampled kinds held at once; beyond, new kinds fold into one bucket per type. */
const MAX_BUCKETS = 10_000;
/** Events per `appendAudit` call, and buffered events that trigger a flush before the timer. */
const BATCH = 500;
/** Key ids whose hint and workspace are remembered (a key never changes either). */
const MAX_KNOWN_KEYS = 10_000;

/** An event as the engine describes it; the recorder adds id, time and count. */
export interface AuditInput {
  readonly type: AuditEventType;
  readonly workspaceId: string | null;
  readonly keyId: string | null;
  /** `undefined`: looked up in the background from `keyId` (requests that failed before the record was at hand). */
  readonly keyHint?: string | null;
  readonly actor?: string | null;
  readonly code?: string | null;
  readonly reason?: string | null;
  readonly request?: AuditRequest | undefined;
  readonly details?: Record<string, unknown>;
}

interface Bucket {
  until: number;
  first: number;
  repeats: number;
  last: AuditInput;
  lastAt: number;
}

interface Pending {
  event: AuditEvent;
  /** Hint and workspace still to be looked up from the key id. */
  resolve: boolean;
}

export interface KeyFacts {
  readonly hint: string;
  readonly workspaceId: string | null;
}

export interface AuditRecorderDeps {
  readonly now: () => number;
  /** Redacts keys, and what looks like one, found in free text (user agents). */
  readonly scrub: (text: string) => string;
  /** Hint and workspace of a key id, for events of requests (`null` when the key is gone). */
  readonly lookup: (keyId: string) => Promise<KeyFacts | null>;
}

function clip(value: unknown, max: number): string | null {
  if (typeof value !== 'string' || value.length === 0) return null;
  return value.length > max ? value.slice(0, max) : value;
}

/**
 * Buffers audit events and writes them in the background: a verify only builds an object and, for
 * repeats, bumps a counter. Store failures and throwing hooks go to `onError`, never to a request.
 */
export class AuditRecorder {
  private fresh: Pending[] = [];
  /** Exported through `onEvent` already, not stored yet (a failed write). */
  private unsaved: AuditEvent[] = [];
  private readonly buckets = new Map<string, Bucket>();
  private readonly known = new Map<string, KeyFacts | null>();
  private done: Promise<void> = Promise.resolve();
  private dropped = 0;
  private readonly window: number;
  private readonly maxBuffer: number;
  private readonly timer: ReturnType<typeof setInterval>;
  private closed = false;

  constructor(
    private readonly store: AuditStore | null,
    private readonly options: AuditOptions,
    private readonly deps: AuditRecorderDeps,
  ) {
    this.window = toMilliseconds(options.sampleWindow ?? '60s', 'audit.sampleWindow');
    const interval = toMilliseconds(options.flushInterval ?? '1s', 'audit.flushInterval');
    if (!(interval >= 10)) throw new RangeError('audit.flushInterval must be at least 10 ms');
    this.maxBuffer = options.maxBuffer ?? 10_000;
    if (!Number.isInteger(this.maxBuffer) || this.maxBuffer < 1) throw new RangeError('audit.maxBuffer must be a positive integer');
    if (options.onEvent !== undefined && typeof options.onEvent !== 'function') throw new TypeError('audit.onEvent must be a function');
    this.timer = setInterval(() => void this.flush(), interval);
    (this.timer as { unref?: () => void }).unref?.();
  }

  /** A lifecycle event: kept as it is. */
  record(input: AuditInput): void {
    this.push(input, this.deps.now(), 1);
  }

  /**
   * An event of a request: the first of its kind in a sample window is kept, its repeats become
   * one summary at the end of the window.
   */
  sample(input: AuditInput): void {
    const now = this.deps.now();
    let id = `${input.type}\u0000${input.code ?? ''}\u0000${input.reason ?? ''}\u0000${input.keyId ?? ''}\u0000${input.workspaceId ?? ''}`;
    let bucket = this.buckets.get(id);
    if (bucket === undefined && this.buckets.size >= MAX_BUCKETS) {
      // Many distinct kinds at once (a flood over many workspaces or keys): one bucket per type.
      input = { type: input.type, workspaceId: null, keyId: null, keyHint: null, code: input.code ?? null, details: { overflow: true } };
      id = `${input.type}\u0000*`;
      bucket = this.buckets.get(id);
    }
    if (bucket !== undefined) {
      if (now < bucket.until) {
        bucket.repeats++;
        bucket.last = input;
        bucket.lastAt = now;
        return;
      }
      this.summarize(bucket);
    }
    this.buckets.set(id, { until: now + this.window, first: now, repeats: 0, last: input, lastAt: now });
    this.push(input, now, 1);
  }

  private summarize(bucket: Bucket): void {
    if (bucket.repeats === 0) return;
    this.push(
      { ...bucket.last, details: { ...bucket.last.details, sampled: true, since: new Date(bucket.first).toISOString() } },
      bucket.lastAt,
      bucket.repeats,
    );
  }

  /** Closes the sample windows that ended. */
  private sweep(now: number): void {
    for (const [id, bucket] of this.buckets) {
      if (now >= bucket.until) {
        this.summarize(bucket);
        this.buckets.delete(id);
      }
    }
  }

  private push(input: AuditInput, at: number, count: number): void {
    if (this.fresh.length + this.unsaved.length >= this.maxBuffer) {
      this.dropped += count;
      return;
    }
    const request = input.request;
    const event: AuditEvent = {
      id: `evt_${randomString(20)}`,
      type: input.type,
      time: new Date(at),
      workspaceId: input.workspaceId,
      keyId: input.keyId,
      keyHint: input.keyHint ?? null,
      actor: clip(input.actor, 256),
      code: input.code ?? null,
      reason: input.reason ?? null,
      ip: request === undefined ? null : clip(request.ip, 64),
      // Scrubbed before it is clipped: a key across the clip would otherwise keep most of its secret.
      userAgent: request === undefined || typeof request.userAgent !== 'string' ? null : clip(this.deps.scrub(request.userAgent), 512),
      count,
      details: input.details ?? {},
    };
    this.fresh.push({ event, resolve: input.keyHint === undefined && input.keyId !== null });
    if (this.fresh.length === BATCH) void this.flush();
  }

  private report(error: unknown): void {
    try {
      this.options.onError?.(error);
    } catch {
      // A throwing hook must not break the background writes.
    }
  }

  private async facts(keyId: string): Promise<KeyFacts | null> {
    if (this.known.has(keyId)) return this.known.get(keyId)!;
    const facts = await this.deps.lookup(keyId);
    if (this.known.size >= MAX_KNOWN_KEYS) this.known.clear();
    this.known.set(keyId, facts);
    return facts;
  }

  /** Completes, exports and stores the buffered events. */
  flush(): Promise<void> {
    this.done = this.done.then(() => this.flushNow());
    return this.done;
  }

  private async flushNow(): Promise<void> {
    this.sweep(this.deps.now());
    if (this.dropped > 0) {
      this.report(new Error(`audit buffer full (${this.maxBuffer} events): ${this.dropped} events dropped`));
      this.dropped = 0;
    }
    const fresh = this.fresh;
    this.fresh = [];
    const ready: AuditEvent[] = [];
    for (const { event, resolve } of fresh) {
      let complete = event;
      if (resolve) {
        try {
          const facts = await this.facts(event.keyId!);
          if (facts !== null) complete = { ...event, keyHint: facts.hint, workspaceId: facts.workspaceId ?? event.workspaceId };
        } catch (error) {
          this.report(error);
        }
      }
      ready.push(Object.freeze({ ...complete, details: Object.freeze({ ...complete.details }) }));
    }
    const onEvent = this.options.onEvent;
    if (onEvent) {
      for (const event of ready) {
        try {
          onEvent(event);
        } catch (error) {
          this.report(error);
        }
      }
    }
    if (this.store === null) return;
    const rows = this.unsaved.concat(ready);
    this.unsaved = [];
    for (let i = 0; i < rows.length; i += BATCH) {
      const batch = rows.slice(i, i + BATCH);
      try {
        await this.store.appendAudit(batch);
      } catch (error) {
        this.unsaved.push(...batch);
        this.report(error);
      }
    }
    // Written again at the next flush; the oldest go first when the store stays down.
    if (this.unsaved.length > this.maxBuffer) this.unsaved.splice(0, this.unsaved.length - this.maxBuffer);
  }

  /** Stops the timer, closes every sample window and writes what is buffered. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      clearInterval(this.timer);
    }
    for (const bucket of this.buckets.values()) bucket.until = Number.NEGATIVE_INFINITY;
    await this.flush();
  }
}
