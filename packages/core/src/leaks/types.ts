import type { ApiKey, CreatedKey } from '../engine/types.js';
import type { Duration } from '../internal/duration.js';
import type { Awaitable } from '../store/types.js';

/**
 * What to do with a key found in public:
 * - `revoke` (the default): it stops working at once, on every instance;
 * - `rotate-with-grace`: a successor is created (handed to `onLeak`, once) and the leaked key
 *   keeps working for `gracePeriod`, so that the customer can switch without an outage — a key
 *   rotated already keeps its successor and works at most `gracePeriod` more;
 * - `notify-only`: nothing changes; the event is recorded and `onLeak` is told.
 *
 * Legacy keys, which can only be revoked, are revoked under `rotate-with-grace`.
 */
export type LeakPolicy = 'revoke' | 'rotate-with-grace' | 'notify-only';

/** What was done to a leaked key. `none`: nothing (notify-only, or the key no longer worked). */
export type LeakAction = 'revoked' | 'rotated' | 'grace-shortened' | 'none';

/** A token found in public, and where. */
export interface LeakReport {
  /** The token as it was found. It is never stored, logged, or passed to a hook. */
  token: string;
  /** Where it was found: a URL (GitHub's `url`, may be empty), a `file:line`, … */
  url?: string | null;
  /** The kind of place (GitHub's `source`: `content`, `commit`, `issue_comment`, `npm`, …). */
  source?: string | null;
  /** The secret type it was reported as (GitHub's `type`). */
  type?: string | null;
}

/** Where a leak was found, as events and hooks see it: the report without the token. */
export interface LeakLocation {
  readonly url: string | null;
  readonly source: string | null;
  readonly type: string | null;
}

/** What `onLeak` receives: enough to tell the key's owner, never the leaked token. */
export interface Leak {
  /** The leaked key, as it is after the action. */
  readonly key: ApiKey;
  readonly location: LeakLocation;
  readonly policy: LeakPolicy;
  readonly action: LeakAction;
  /** Whether the key worked when the report came (a revoked or expired key leaks nothing). */
  readonly wasActive: boolean;
  /**
   * `rotate-with-grace`: the new key, in plaintext — this is the only time it exists. Deliver it
   * through a channel the customer trusts (or do not, and let them rotate in the dashboard).
   */
  readonly successor?: CreatedKey;
  /** `rotate-with-grace`: when the leaked key stops working. */
  readonly stopsAt?: Date;
}

/** Options of `keyward.reportLeak`. */
export interface LeakOptions {
  /**
   * What to do with an active leaked key, or a function of the key and the report (a plan, a
   * workspace setting). A function that throws fails the report (nothing changed).
   * @default 'revoke'
   */
  policy?: LeakPolicy | ((key: ApiKey, location: LeakLocation) => Awaitable<LeakPolicy>);
  /** How long a leaked key keeps working under `rotate-with-grace`. @default '1h' */
  gracePeriod?: Duration;
  /** The actor of the lifecycle changes and the `key.leaked` event. @default 'leak-report' */
  actor?: string;
  /**
   * Told once per key and place (a retried report is not told again), after the action: e-mail
   * the key's owner here. Awaited; a throw is reported to `onError`, and the report still counts
   * as handled (the key is revoked either way).
   */
  onLeak?: (leak: Leak) => Awaitable<void>;
  /** Told about a throwing `onLeak`. Never the token. */
  onError?: (error: unknown) => void;
}

/**
 * The outcome of one report. `known` is a key this engine issued (whatever its state); every
 * other token — malformed, a bad checksum, well-formed but never issued — is `unknown`, with
 * nothing else to tell them apart.
 */
export type LeakOutcome =
  | { readonly status: 'unknown' }
  | {
      readonly status: 'known';
      readonly key: ApiKey;
      readonly action: LeakAction;
      readonly wasActive: boolean;
      /** Whether this report was the first for this key and place (event recorded, `onLeak` told). */
      readonly first: boolean;
    };
