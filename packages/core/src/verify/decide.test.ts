import { describe, expect, it } from 'vitest';
import type { VerifyOptions } from '../engine/types.js';
import type { KeyFormat, ParsedKey } from '../format/types.js';
import type { StoredKey } from '../store/types.js';
import { sampleStoredKey } from '../testing/fixtures.js';
import { ASK_OWNER, decide, environmentMismatch, sunsetOf } from './decide.js';

const NOW = Date.UTC(2026, 5, 1);
const before = new Date(NOW - 1);
const after = new Date(NOW + 1);
const format = { name: 'kw' } as KeyFormat;
const key = (fields: Partial<StoredKey> = {}) => ({ ...sampleStoredKey({ format: 'kw', workspaceId: 'ws_a', scopes: ['notes:read'] }), ...fields });
const legacy = (fields: Partial<StoredKey> = {}) => key({ legacy: true, workspaceId: null, ownerId: 'owner_1', ...fields });

type Row = [
  name: string,
  record: StoredKey | null,
  options: VerifyOptions | undefined,
  expected: 'pass' | 'ask owner' | `${string}` /* code or code:reason */,
  extra?: { parsed?: ParsedKey; defaultSunset?: Date | null; canAskOwner?: boolean },
];

// Each row: a record and a route, and what the pure checks answer. Order: found, tenancy (so that
// a key of another workspace reads like an unknown key whatever its state), state (revoked,
// expired, sunset), environment, scopes.
const rows: Row[] = [
  ['no record', null, undefined, 'invalid_key:unknown'],
  ['a record of another format', key({ format: 'other' }), undefined, 'invalid_key:unknown'],
  ['a live key, no route options', key(), undefined, 'pass'],
  ['revoked a moment ago', key({ revokedAt: before }), undefined, 'invalid_key:revoked'],
  ['revoked at this very time', key({ revokedAt: new Date(NOW) }), undefined, 'invalid_key:revoked'],
  // A revocation is immediate: its date says when it happened, and is never compared with the
  // verifier's clock (an instance whose clock is behind must not accept a revoked key).
  ['revoked by a clock ahead of ours', key({ revokedAt: after }), undefined, 'invalid_key:revoked'],
  ['revoked far in our future', key({ revokedAt: new Date(NOW + 86_400_000) }), undefined, 'invalid_key:revoked'],
  ['expired', key({ expiresAt: before }), undefined, 'expired_key'],
  ['expiring later', key({ expiresAt: after }), undefined, 'pass'],
  ['revoked and expired: revoked first', key({ revokedAt: before, expiresAt: before }), undefined, 'invalid_key:revoked'],
  ['legacy before its sunset', legacy({ sunsetAt: after }), undefined, 'pass'],
  ['legacy past its sunset', legacy({ sunsetAt: before }), undefined, 'key_sunset'],
  ['legacy past the default sunset', legacy(), undefined, 'key_sunset', { defaultSunset: before }],
  ['legacy: its own sunset wins over the default', legacy({ sunsetAt: after }), undefined, 'pass', { defaultSunset: before }],
  ['a sunset means nothing to a key that is not legacy', key({ sunsetAt: before }), undefined, 'pass'],
  ['its own workspace', key(), { workspaceId: 'ws_a' }, 'pass'],
  ['another workspace', key(), { workspaceId: 'ws_b' }, 'invalid_key:workspace_mismatch'],
  // Tenancy before state: an unknown key, a revoked key and a key of another workspace read alike.
  ['expired and of another workspace: tenancy first', key({ expiresAt: before }), { workspaceId: 'ws_b' }, 'invalid_key:workspace_mismatch'],
  ['revoked and of another workspace', key({ revokedAt: before }), { workspaceId: 'ws_b' }, 'invalid_key:workspace_mismatch'],
  [
    'legacy past its sunset and of another workspace',
    legacy({ workspaceId: 'ws_a', ownerId: null, sunsetAt: before }),
    { workspaceId: 'ws_b' },
    'invalid_key:workspace_mismatch',
  ],
  ['expired, of its own workspace', key({ expiresAt: before }), { workspaceId: 'ws_a' }, 'expired_key'],
  ['revoked, of its own workspace', key({ revokedAt: before }), { workspaceId: 'ws_a' }, 'invalid_key:revoked'],
  [
    'legacy key of an owner past its sunset on a workspace route: the owner is asked first',
    legacy({ sunsetAt: before }),
    { workspaceId: 'ws_b' },
    'ask owner',
    { canAskOwner: true },
  ],
  ['legacy key of an owner on a workspace route', legacy(), { workspaceId: 'ws_b' }, 'ask owner', { canAskOwner: true }],
  ['… without ownsWorkspace', legacy(), { workspaceId: 'ws_b' }, 'invalid_key:workspace_mismatch'],
  [
    'legacy key of a workspace on another',
    legacy({ workspaceId: 'ws_a', ownerId: 'o' }),
    { workspaceId: 'ws_b' },
    'invalid_key:workspace_mismatch',
    { canAskOwner: true },
  ],
  ['legacy key of an owner on a route without workspace', legacy(), { scopes: ['notes:read'] }, 'pass'],
  ['environment stored, matching', key({ environment: 'live' }), { environment: 'live' }, 'pass'],
  ['environment stored, other', key({ environment: 'test' }), { environment: 'live' }, 'environment_mismatch'],
  [
    'environment written in the key wins (checked before lookup)',
    key({ environment: 'test' }),
    { environment: 'live' },
    'pass',
    { parsed: { secret: 's', environment: 'live' } },
  ],
  ['a granted scope', key(), { scopes: ['notes:read'] }, 'pass'],
  ['no scopes asked', key(), { scopes: [] }, 'pass'],
  ['a missing scope', key(), { scopes: ['notes:write'] }, 'insufficient_scope'],
  ['another workspace and a missing scope: tenancy first', key(), { workspaceId: 'ws_b', scopes: ['notes:write'] }, 'invalid_key:workspace_mismatch'],
  [
    'wrong environment and a missing scope: environment first',
    key({ environment: 'test' }),
    { environment: 'live', scopes: ['x:y'] },
    'environment_mismatch',
  ],
];

describe('decide', () => {
  it.each(rows)('%s', (_name, record, options, expected, extra) => {
    const parsed = extra?.parsed ?? { secret: 's' };
    const decision = decide(record, format, parsed, options, NOW, extra?.defaultSunset ?? null, extra?.canAskOwner ?? false);
    const answer =
      decision === null ? 'pass' : decision === ASK_OWNER ? 'ask owner' : decision.reason ? `${decision.code}:${decision.reason}` : decision.code;
    expect(answer).toBe(expected);
    if (decision !== null && decision !== ASK_OWNER && record !== null && record.format === 'kw') expect(decision.keyId).toBe(record.id);
  });

  it('names the missing scopes of a 403', () => {
    const decision = decide(key(), format, { secret: 's' }, { scopes: ['notes:read', 'notes:write', 'admin'] }, NOW, null, false);
    expect(decision).toMatchObject({ code: 'insufficient_scope', status: 403, missingScopes: ['notes:write', 'admin'] });
  });

  it('refuses a key of another environment written in the key before any lookup', () => {
    expect(environmentMismatch({ secret: 's', environment: 'test' }, { environment: 'live' })).toBe(true);
    expect(environmentMismatch({ secret: 's', environment: 'live' }, { environment: 'live' })).toBe(false);
    expect(environmentMismatch({ secret: 's' }, { environment: 'live' })).toBe(false);
    expect(environmentMismatch({ secret: 's', environment: 'test' }, undefined)).toBe(false);
  });

  it('gives the sunset in force of legacy keys only', () => {
    expect(sunsetOf(legacy({ sunsetAt: after }), before)).toBe(after);
    expect(sunsetOf(legacy(), before)).toBe(before);
    expect(sunsetOf(key({ sunsetAt: after }), before)).toBeNull();
  });
});
