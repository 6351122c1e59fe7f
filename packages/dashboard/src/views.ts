import type { ApiKey, AuditEvent } from '@keyward/core';

/** Someone named by the API: an id, and a display name when it is known. */
export interface PersonView {
  readonly id: string;
  readonly name: string | null;
}

/** A key as the management API shows it: never the key, never its hash. */
export interface KeyView {
  readonly id: string;
  readonly workspaceId: string | null;
  readonly name: string;
  /** `prefix…last4`: enough to recognise the key, not to use it. */
  readonly display: string;
  readonly prefix: string;
  readonly hint: string;
  readonly environment: string | null;
  readonly scopes: readonly string[];
  /** `revoked`, `expired` (or past its rotation grace period), `sunset` (a legacy key after its sunset), else `active`. */
  readonly status: 'active' | 'revoked' | 'expired' | 'sunset';
  readonly createdAt: string;
  readonly createdBy: PersonView | null;
  readonly lastUsedAt: string | null;
  readonly expiresAt: string | null;
  readonly revokedAt: string | null;
  /** Set on a rotated key: the id of its successor. */
  readonly rotatedToId: string | null;
  readonly legacy: boolean;
  /** For legacy keys: when they stop working (their own sunset, else the engine's). */
  readonly sunsetAt: string | null;
}

/** An audit event as the management API shows it. */
export interface AuditEventView {
  readonly id: string;
  readonly type: string;
  readonly time: string;
  readonly keyId: string | null;
  readonly keyHint: string | null;
  readonly actor: PersonView | null;
  readonly code: string | null;
  readonly reason: string | null;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly count: number;
  readonly details: Readonly<Record<string, unknown>>;
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());
const person = (id: string | null, names: ReadonlyMap<string, string>): PersonView | null =>
  id === null ? null : { id, name: names.get(id) ?? null };

export function keyView(key: ApiKey, now: number, defaultSunset: Date | null, names: ReadonlyMap<string, string>): KeyView {
  const sunset = key.legacy ? (key.sunsetAt ?? defaultSunset) : null;
  const status =
    key.revokedAt !== null && key.revokedAt.getTime() <= now
      ? 'revoked'
      : key.expiresAt !== null && key.expiresAt.getTime() <= now
        ? 'expired'
        : sunset !== null && sunset.getTime() <= now
          ? 'sunset'
          : 'active';
  return {
    id: key.id,
    workspaceId: key.workspaceId,
    name: key.name,
    display: `${key.prefix}…${key.hint}`,
    prefix: key.prefix,
    hint: key.hint,
    environment: key.environment,
    scopes: [...key.scopes],
    status,
    createdAt: key.createdAt.toISOString(),
    createdBy: person(key.createdBy, names),
    lastUsedAt: iso(key.lastUsedAt),
    expiresAt: iso(key.expiresAt),
    revokedAt: iso(key.revokedAt),
    rotatedToId: key.rotatedToId,
    legacy: key.legacy,
    sunsetAt: iso(sunset),
  };
}

export function auditEventView(event: AuditEvent, names: ReadonlyMap<string, string>): AuditEventView {
  return {
    id: event.id,
    type: event.type,
    time: event.time.toISOString(),
    keyId: event.keyId,
    keyHint: event.keyHint,
    actor: person(event.actor, names),
    code: event.code,
    reason: event.reason,
    ip: event.ip,
    userAgent: event.userAgent,
    count: event.count,
    details: event.details,
  };
}
