import { toMilliseconds } from '../internal/duration.js';
import { dayNumber, dayString } from './days.js';
import type { KeyTouch, UsageCount, UsageOptions, UsageStore } from './types.js';

/** Keys counted since the last flush beyond which the counts are written at once. */
const MAX_PENDING_KEYS = 10_000;
/** Rows per `addUsage` / `touchKeys` call. */
const BATCH = 1000;

interface Slot {
  readonly workspaceId: string | null;
  day: number;
  count: number;
}

type Timer = ReturnType<typeof setInterval>;

function startTimer(ms: number, tick: () => void): Timer {
  const timer = setInterval(tick, ms);
  // Background work must never keep a process (a CLI, a test) alive: close() writes what is left.
  (timer as { unref?: () => void }).unref?.();
  return timer;
}

/**
 * Counts successful verifies per key and UTC day, and remembers the last use of each key, in
 * memory; writes both to a {@link UsageStore} in batches, off the request path. A verify costs one
 * or two `Map` updates.
 */
export class UsageTracker {
  private counts = new Map<string, Slot>();
  /** Counts of a day that ended while the key was pending, and counts of failed writes. */
  private leftover = new Map<string, UsageCount>();
  private touches = new Map<string, number>();
  private countsDone: Promise<void> = Promise.resolve();
  private touchesDone: Promise<void> = Promise.resolve();
  private readonly countTimer: Timer;
  private touchTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly lastUsedInterval: number;
  private readonly onError: (error: unknown) => void;
  private closed = false;
  /** A flush of counts is queued and has not taken the pending counts yet. */
  private countsQueued = false;

  constructor(
    private readonly store: UsageStore,
    options: UsageOptions,
  ) {
    const lastUsed = toMilliseconds(options.lastUsedInterval ?? '60s', 'usage.lastUsedInterval');
    const flush = toMilliseconds(options.flushInterval ?? '10s', 'usage.flushInterval');
    if (!(lastUsed >= 10) || !(flush >= 10)) throw new RangeError('usage intervals must be at least 10 ms');
    this.onError = options.onError ?? (() => undefined);
    this.lastUsedInterval = lastUsed;
    this.countTimer = startTimer(flush, () => void this.flushCounts());
    this.scheduleTouches();
  }

  /**
   * A timeout chain rather than an interval: the next write starts a full interval after this one
   * started and finished, so a late timer can never bring two writes of a key closer together.
   */
  private scheduleTouches(): void {
    if (this.closed) return;
    this.touchTimer = setTimeout(() => {
      void this.flushTouches().finally(() => this.scheduleTouches());
    }, this.lastUsedInterval);
    (this.touchTimer as { unref?: () => void }).unref?.();
  }

  /** One successful use of a key at `now` (ms). */
  record(keyId: string, workspaceId: string | null, now: number): void {
    const day = dayNumber(now);
    const slot = this.counts.get(keyId);
    if (slot === undefined) {
      this.counts.set(keyId, { workspaceId, day, count: 1 });
      if (this.counts.size >= MAX_PENDING_KEYS && !this.countsQueued) void this.flushCounts();
    } else if (slot.day === day) {
      slot.count++;
    } else {
      // The UTC day changed since this key's last use: its count of the previous day is final.
      this.keep({ keyId, workspaceId: slot.workspaceId, day: dayString(slot.day), count: slot.count });
      slot.day = day;
      slot.count = 1;
    }
    const last = this.touches.get(keyId);
    if (last === undefined || last < now) this.touches.set(keyId, now);
  }

  private keep(count: UsageCount): void {
    const id = `${count.day}\u0000${count.keyId}`;
    const known = this.leftover.get(id);
    this.leftover.set(id, known === undefined ? count : { ...known, count: known.count + count.count });
  }

  /** Adds the pending counts to the store; on failure they are kept for the next flush. */
  flushCounts(): Promise<void> {
    this.countsQueued = true;
    this.countsDone = this.countsDone.then(async () => {
      this.countsQueued = false;
      for (const [keyId, slot] of this.counts) this.keep({ keyId, workspaceId: slot.workspaceId, day: dayString(slot.day), count: slot.count });
      this.counts = new Map();
      if (this.leftover.size === 0) return;
      const rows = [...this.leftover.values()];
      this.leftover = new Map();
      for (let i = 0; i < rows.length; i += BATCH) {
        const batch = rows.slice(i, i + BATCH);
        try {
          await this.store.addUsage(batch);
        } catch (error) {
          // Not written (or not known to be): counted again with the next flush.
          for (const row of batch) this.keep(row);
          this.report(error);
        }
      }
    });
    return this.countsDone;
  }

  /** Writes the last use of each key used since the previous write. */
  flushTouches(): Promise<void> {
    this.touchesDone = this.touchesDone.then(async () => {
      if (this.touches.size === 0) return;
      const rows: KeyTouch[] = [];
      for (const [keyId, at] of this.touches) rows.push({ keyId, at: new Date(at) });
      this.touches = new Map();
      for (let i = 0; i < rows.length; i += BATCH) {
        const batch = rows.slice(i, i + BATCH);
        try {
          await this.store.touchKeys(batch);
        } catch (error) {
          for (const row of batch) {
            const newer = this.touches.get(row.keyId);
            if (newer === undefined || newer < row.at.getTime()) this.touches.set(row.keyId, row.at.getTime());
          }
          this.report(error);
        }
      }
    });
    return this.touchesDone;
  }

  private report(error: unknown): void {
    try {
      this.onError(error);
    } catch {
      // A throwing hook must not break the background writes.
    }
  }

  /** Writes everything pending now. */
  async flush(): Promise<void> {
    await Promise.all([this.flushCounts(), this.flushTouches()]);
  }

  /** Stops the timers and writes what is pending. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      clearInterval(this.countTimer);
      clearTimeout(this.touchTimer);
    }
    await this.flush();
  }
}
