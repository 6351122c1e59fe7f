import type { Probe } from '../instrument/probe.js';
import { closeStep, openStep, type StepSink, systemOf } from '../instrument/trace.js';
import { isPromiseLike } from '../internal/awaitable.js';
import type { Awaitable, StoredKey } from '../store/types.js';
import type { InvalidationBus } from './invalidation.js';
import { type CacheOptions, VerifyCache } from './verify-cache.js';

/**
 * The engine's view of its cache, kept coherent with the store: the bounded {@link VerifyCache}
 * (or none), the reads in flight (concurrent misses of one key share one store read), an epoch that
 * every invalidation bumps (a read that started before one is not kept), and the invalidation bus
 * (subscribed with back-off; until it listens, and for one TTL after it reports lost messages, the
 * cache is not used).
 */
export class CoherentCache {
  /** The entries; `null` without a cache (a store that answers from memory, or `cache: false`). */
  readonly entries: VerifyCache | null;
  private readonly inflight = new Map<string, Promise<StoredKey | null>>();
  /** Bumped by every invalidation: a read that started before one is not cached. */
  private epoch = 0;
  /** The cache is not used before this time (bus not subscribed yet, or it lost messages). */
  private usableFrom = 0;
  private readonly ttl: number;
  private unsubscribe: (() => Promise<void>) | null = null;
  private readonly subscribed: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    options: CacheOptions | null,
    private readonly bus: InvalidationBus | null,
    private readonly now: () => number,
    /** Instruments hear of messages, drops and losses of the bus; `null`: nobody listens. */
    private readonly probe: Probe | null = null,
  ) {
    this.entries = options === null ? null : new VerifyCache(options);
    this.ttl = options?.ttl ?? 5000;
    if (bus !== null) {
      this.usableFrom = Number.POSITIVE_INFINITY;
      this.subscribed = this.subscribe(bus, 0);
    }
  }

  private async subscribe(bus: InvalidationBus, attempt: number): Promise<void> {
    try {
      const probe = this.probe;
      const stop = await bus.subscribe(
        (message) => {
          if (!message || typeof message.keyId !== 'string') return;
          if (probe !== null) {
            const sentAt = message.sentAt;
            // Both clocks are epoch milliseconds (the sender's and ours): the lag of two hosts.
            const lagMs = typeof sentAt === 'number' && Number.isFinite(sentAt) ? Date.now() - sentAt : null;
            probe.cache?.({ type: 'message', at: probe.now(), keyId: message.keyId, lagMs });
          }
          this.drop(message.keyId);
        },
        (error) => {
          probe?.busLost(error);
          this.distrust();
        },
        () => probe?.busListening(),
      );
      if (this.closed) {
        await stop();
        return;
      }
      this.unsubscribe = stop;
      this.usableFrom = 0;
      this.probe?.busListening();
    } catch (error) {
      // Until the bus listens, the cache stays off (every verify reads the store); try again later.
      if (this.closed) return;
      this.probe?.busLost(error);
      const delay = Math.min(30_000, 250 * 2 ** attempt);
      const timer = setTimeout(() => void this.subscribe(bus, attempt + 1), delay);
      (timer as { unref?: () => void }).unref?.();
    }
  }

  /** Messages may have been lost: drop everything, and serve from the store for one TTL. */
  private distrust(): void {
    if (this.probe !== null) this.probe.cache?.({ type: 'clear', at: this.probe.now() });
    this.epoch++;
    this.inflight.clear();
    this.entries?.clear();
    this.usableFrom = this.now() + this.ttl;
  }

  /** Drops the entries of a key here (a message of the bus, or a change made by this engine). */
  drop(keyId: string): void {
    if (this.probe !== null) this.probe.cache?.({ type: 'invalidate', at: this.probe.now(), keyId });
    this.epoch++;
    this.inflight.clear();
    this.entries?.invalidate(keyId);
  }

  /**
   * After a change: drop the local entry and tell the other instances (the message says when it
   * was sent, for the lag metric). `sink`: the lifecycle call whose step the publication is.
   */
  async changed(keyId: string, sink: StepSink | null = null): Promise<void> {
    this.drop(keyId);
    if (this.bus === null) return;
    const probe = this.probe;
    const start = probe?.now() ?? 0;
    const system = probe === null ? '' : systemOf(this.bus);
    const step = probe === null ? null : openStep(sink, system, 'publish', start);
    try {
      await this.bus.publish({ keyId, sentAt: Date.now() });
      if (probe !== null) closeStep(probe, step, system, 'publish', start, undefined, false);
    } catch (error) {
      // A bus that fails is not a store outage (verify does not need it): a failed step, no notice.
      if (probe !== null) closeStep(probe, step, system, 'publish', start, error, false);
      // The change is stored; other instances drop their entry when it expires (cache.ttl).
    }
  }

  /** Resolves once the invalidation bus listens (at once without a bus). */
  ready(): Promise<void> {
    return this.subscribed;
  }

  /** Stops listening to the bus. */
  async close(): Promise<void> {
    this.closed = true;
    const stop = this.unsubscribe;
    this.unsubscribe = null;
    await stop?.();
  }

  /** The cache, when it may be used at `now`. */
  private usable(now: number): VerifyCache | null {
    return now < this.usableFrom ? null : this.entries;
  }

  /** The record cached under this key, if the cache is usable and holds one (not an "unknown" marker). */
  peek(cacheKey: string): StoredKey | undefined {
    const entries = this.entries;
    if (entries === null) return undefined;
    const now = this.now();
    if (now < this.usableFrom) return undefined;
    return entries.get(cacheKey, now) ?? undefined;
  }

  /** Whether the cache is usable and holds an entry for this key (a record or "unknown"), or a read of it is in flight. */
  knows(cacheKey: string): boolean {
    const now = this.now();
    const entries = this.usable(now);
    return entries !== null && (entries.get(cacheKey, now) !== undefined || this.inflight.has(cacheKey));
  }

  /** The current epoch, to hand back to {@link keep} when a read started now has finished. */
  mark(): number {
    return this.epoch;
  }

  /** Caches what a read that started at `epoch` found, unless an invalidation came in between. */
  keep(cacheKey: string, record: StoredKey | null, epoch: number): void {
    if (this.entries !== null && epoch === this.epoch) this.entries.set(cacheKey, record, this.now());
  }

  /**
   * Reads through the cache: a hit answers synchronously; concurrent misses of one key share a
   * single store read; a read that raced with an invalidation is not kept.
   */
  through(cacheKey: string, load: () => Awaitable<StoredKey | null>): Awaitable<StoredKey | null> {
    const now = this.now();
    const entries = this.usable(now);
    if (entries === null) return load();
    const hit = entries.get(cacheKey, now);
    if (hit !== undefined) return hit;
    const pending = this.inflight.get(cacheKey);
    if (pending !== undefined) return pending;
    const epoch = this.epoch;
    const loaded = load();
    if (!isPromiseLike(loaded)) {
      entries.set(cacheKey, loaded, now);
      return loaded;
    }
    const promise = Promise.resolve(loaded).then(
      (record) => {
        if (this.inflight.get(cacheKey) === promise) this.inflight.delete(cacheKey);
        this.keep(cacheKey, record, epoch);
        return record;
      },
      (error: unknown) => {
        if (this.inflight.get(cacheKey) === promise) this.inflight.delete(cacheKey);
        throw error;
      },
    );
    this.inflight.set(cacheKey, promise);
    return promise;
  }
}
