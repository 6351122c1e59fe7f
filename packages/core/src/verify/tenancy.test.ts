import { memoryStore } from '@keyward/store-memory';
import { describe, expect, it } from 'vitest';
import { createKeyward, type Keyward } from '../engine/keyward.js';
import type { VerifyOptions } from '../engine/types.js';
import { bearer, sha, tipar } from '../engine/test-support.js';
import type { KeyStore } from '../store/types.js';

/**
 * The byte-identical trio (docs/design.md): an unknown key, a revoked key and a key of another
 * workspace get the same answer — for a key of another workspace in every state it can be in, on
 * every route, so that no answer tells that a key exists elsewhere.
 */

const NOW = Date.UTC(2026, 10, 22, 12);

/** A memory store that says it is a round trip away: the engine then caches in front of it. */
const remote = (): KeyStore => {
  const inner = memoryStore();
  return new Proxy(inner, { get: (t, p, r) => (p === 'local' ? false : Reflect.get(t, p, r)) });
};

/** Keys of workspace `ws_b` in each state, created through the engine. */
async function keysOfB(keyward: Keyward, tick: (ms: number) => void): Promise<[string, string][]> {
  const live = await keyward.create({ workspaceId: 'ws_b', name: 'live', scopes: ['notes:read'] });
  const revoked = await keyward.create({ workspaceId: 'ws_b', name: 'revoked' });
  await keyward.revoke(revoked.record.id);
  const expired = await keyward.create({ workspaceId: 'ws_b', name: 'expired', expiresAt: new Date(NOW + 1000) });
  const rotatedAtOnce = await keyward.create({ workspaceId: 'ws_b', name: 'rotated' });
  await keyward.rotate(rotatedAtOnce.record.id);
  const graceOver = await keyward.create({ workspaceId: 'ws_b', name: 'grace' });
  await keyward.rotate(graceOver.record.id, { gracePeriod: 1000 });
  const legacy = tipar.generate().key;
  await keyward.import({
    workspaceId: 'ws_b',
    name: 'legacy',
    hash: sha(legacy),
    hint: legacy.slice(-4),
    legacy: true,
    sunsetAt: new Date(NOW + 1000),
  });
  const test = await keyward.create({ workspaceId: 'ws_b', name: 'test env', environment: 'test' });
  tick(2000);
  return [
    ['live', live.key],
    ['revoked', revoked.key],
    ['expired', expired.key],
    ['rotated without grace', rotatedAtOnce.key],
    ['rotated, grace over', graceOver.key],
    ['legacy past its sunset', legacy],
    ['of another environment', test.key],
  ];
}

const routes: VerifyOptions[] = [
  { workspaceId: 'ws_a' },
  { workspaceId: 'ws_a', scopes: ['notes:write'] },
  { workspaceId: 'ws_a', environment: 'live' },
];

describe('a key of another workspace reads like an unknown key', () => {
  for (const [label, store, policies] of [
    ['memory store', memoryStore, undefined],
    ['store a round trip away, cached', remote, undefined],
    ['with a quota', remote, { quota: { limit: 100, period: 'day' as const } }],
  ] as const) {
    it(`in every state (${label})`, async () => {
      let clock = NOW;
      const keyward = createKeyward({ store: store(), format: tipar, now: () => clock, ...(policies ? { policies } : {}) });
      const keys = await keysOfB(keyward, (ms) => (clock += ms));
      for (const route of routes) {
        for (const [state, key] of keys) {
          // An unknown key of the same environment (a key's environment is in its text: a route of
          // another environment refuses it before any lookup, known or not).
          const unknown = tipar.generate({ environment: key.split('_')[1]! }).key;
          const expected = await keyward.verify(bearer(unknown), route);
          expect(expected.ok).toBe(false);
          const reference = expected.ok ? null : keyward.render(expected.error);
          // Twice: the second answer comes from the cache where there is one.
          for (let i = 0; i < 2; i++) {
            const result = await keyward.verify(bearer(key), route);
            const rendered = result.ok ? 'ok' : keyward.render(result.error);
            expect({ state, route, rendered }).toEqual({ state, route, rendered: reference });
          }
        }
      }
    });
  }
});
