import type { StoredKey } from '../store/types.js';

let counter = 0;

/** A complete stored key with every field set, unique per call. For store tests. */
export function sampleStoredKey(overrides: Partial<StoredKey> = {}): StoredKey {
  counter++;
  const n = `${Date.now().toString(36)}${counter.toString(36).padStart(4, '0')}${Math.random().toString(36).slice(2, 8)}`;
  const hex = Array.from(n.padEnd(32, 'x'), (c) => c.charCodeAt(0).toString(16).padStart(2, '0'))
    .join('')
    .slice(0, 64);
  return {
    id: `key_${n}`,
    workspaceId: 'ws_conformance',
    ownerId: 'user_1',
    name: `key ${n}`,
    format: 'kw',
    environment: 'live',
    scopes: ['notes:read', 'notes:*'],
    prefix: 'kw_live_',
    hint: 'a1B2',
    hash: hex,
    hashVersion: 'sha256',
    legacy: false,
    createdAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 678) + counter),
    updatedAt: new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 679) + counter),
    expiresAt: new Date(Date.UTC(2030, 5, 6, 7, 8, 9, 10)),
    revokedAt: null,
    sunsetAt: null,
    rotatedToId: null,
    lastUsedAt: null,
    metadata: { plan: 'pro', nested: { list: [1, 'two', true, null], unicode: 'café ✓' } },
    createdBy: 'user:créateur ✓',
    counterId: null,
    ...overrides,
  };
}
