import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import type { AuditInput } from '../audit/recorder.js';
import type { ApiKey, ChangeOptions, CreatedKey, RotateOptions, UpdateKeyInput } from '../engine/types.js';
import { isKeywardError } from '../errors.js';
import { toMilliseconds } from '../internal/duration.js';
import type { TokenInspection } from '../lifecycle/inspect.js';
import type { OnceGate } from '../lifecycle/once.js';
import type { Leak, LeakAction, LeakLocation, LeakOptions, LeakOutcome, LeakPolicy, LeakReport } from './types.js';

/** What {@link reportLeak} needs of the engine: its public lifecycle, its audit log and its gate. */
export interface LeakHost {
  inspect(token: string): Promise<TokenInspection>;
  revoke(id: string, options: ChangeOptions): Promise<ApiKey>;
  rotate(id: string, options: RotateOptions): Promise<CreatedKey & { previous: ApiKey }>;
  update(id: string, input: UpdateKeyInput, options: ChangeOptions): Promise<ApiKey>;
  /** Records an audit event (a no-op when the audit log is off). */
  audit(input: AuditInput): void;
  /** Redacts keys found in free text (a URL may carry one). */
  scrub(text: string): string;
  readonly once: OnceGate;
  now(): number;
}

/** How long a report is remembered: a retry within this time does nothing again. */
const REMEMBER_MS = 90 * 86_400_000;
const POLICIES: readonly LeakPolicy[] = ['revoke', 'rotate-with-grace', 'notify-only'];

function clip(value: unknown, max: number): string | null {
  if (typeof value !== 'string' || value.length === 0) return null;
  return value.length > max ? value.slice(0, max) : value;
}

async function policyOf(option: LeakOptions['policy'], key: ApiKey, location: LeakLocation): Promise<LeakPolicy> {
  const policy = typeof option === 'function' ? await option(key, location) : (option ?? 'revoke');
  if (!POLICIES.includes(policy)) throw new RangeError(`the leak policy must be one of ${POLICIES.join(', ')}, got ${JSON.stringify(policy)}`);
  return policy;
}

/**
 * Acts on a key found in public: checks the token (format, checksum, store), applies the policy
 * to an active key, and — once per key and place, across processes — records `key.leaked` and
 * tells `onLeak`. Idempotent: the same report again changes nothing and tells no one.
 *
 * The order is the one that loses nothing when a step fails: the change first (revoke and rotate
 * are themselves idempotent), the "once" claim after it. A failure before the claim throws, and
 * the report can be retried as a whole.
 *
 * @throws {KeywardError} `store_unavailable` when the store fails (the report should be retried).
 */
export async function reportLeak(host: LeakHost, report: LeakReport, options: LeakOptions = {}): Promise<LeakOutcome> {
  if (!report || typeof report !== 'object') throw new TypeError('reportLeak needs { token, url?, source?, type? }');
  const grace = toMilliseconds(options.gracePeriod ?? '1h', 'gracePeriod');
  const actor = options.actor ?? 'leak-report';
  let inspection = await host.inspect(report.token);
  if (inspection.key === null) return { status: 'unknown' };
  const location: LeakLocation = {
    url: clip(typeof report.url === 'string' ? host.scrub(report.url) : null, 2048),
    source: clip(typeof report.source === 'string' ? host.scrub(report.source) : null, 64),
    type: clip(report.type, 128),
  };
  let key = inspection.key;
  const wasActive = inspection.status === 'active';
  const policy = await policyOf(options.policy, key, location);
  let action: LeakAction = 'none';
  let successor: CreatedKey | undefined;
  if (wasActive && policy === 'revoke') {
    key = await host.revoke(key.id, { actor });
    action = 'revoked';
  } else if (wasActive && policy === 'rotate-with-grace') {
    if (key.legacy) {
      key = await host.revoke(key.id, { actor });
      action = 'revoked';
    } else {
      if (key.rotatedToId === null) {
        try {
          const rotated = await host.rotate(key.id, { gracePeriod: grace, actor });
          successor = { key: rotated.key, record: rotated.record };
          key = rotated.previous;
          action = 'rotated';
        } catch (error) {
          // Rotated or revoked in the meantime (a concurrent report, a person): judge it again.
          if (!(isKeywardError(error) && error.code === 'conflict')) throw error;
          inspection = await host.inspect(report.token);
          if (inspection.key === null) return { status: 'unknown' };
          key = inspection.key;
        }
      }
      const end = host.now() + grace;
      if (action === 'none' && keyStillWorks(key, host.now()) && (key.expiresAt === null || key.expiresAt.getTime() > end)) {
        key = await host.update(key.id, { expiresAt: new Date(end) }, { actor });
        action = 'grace-shortened';
      }
    }
  }
  const now = host.now();
  const place = bytesToHex(sha256(utf8ToBytes(`${location.url ?? ''}\u0000${location.source ?? ''}\u0000${location.type ?? ''}`))).slice(0, 32);
  const first = await host.once.claim(key.id, `leak:${key.id}:${place}`, now, now + REMEMBER_MS);
  if (first) {
    const stopsAt = policy === 'rotate-with-grace' && action !== 'revoked' ? (key.expiresAt ?? undefined) : undefined;
    host.audit({
      type: 'key.leaked',
      workspaceId: key.workspaceId,
      keyId: key.id,
      keyHint: key.hint,
      actor,
      details: {
        url: location.url,
        source: location.source,
        tokenType: location.type,
        policy,
        action,
        wasActive,
        ...(stopsAt ? { stopsAt: stopsAt.toISOString() } : {}),
        ...(successor ? { successorId: successor.record.id } : {}),
      },
    });
    if (options.onLeak) {
      const leak: Leak = { key, location, policy, action, wasActive, ...(successor ? { successor } : {}), ...(stopsAt ? { stopsAt } : {}) };
      try {
        await options.onLeak(leak);
      } catch (error) {
        try {
          options.onError?.(error);
        } catch {
          // A throwing error hook must not turn a handled report into a failed one.
        }
      }
    }
  }
  return { status: 'known', key, action, wasActive, first };
}

function keyStillWorks(key: ApiKey, now: number): boolean {
  return key.revokedAt === null && (key.expiresAt === null || key.expiresAt.getTime() > now);
}
