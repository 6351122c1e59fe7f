import { memoryStore } from '@keyward/store-memory';
import { describe, expect, it } from 'vitest';
import type { KeyStore } from '../store/types.js';
import { createKeyward } from './keyward.js';
import { bearer, tipar } from './test-support.js';
import type { ApiKey } from './types.js';

/** A memory store that says it is a round trip away: the engine then caches its records. */
const remote = (): KeyStore => {
  const inner = memoryStore();
  return new Proxy(inner, { get: (t, p, r) => (p === 'local' ? false : Reflect.get(t, p, r)) });
};

/** What a careless handler does with the key it is handed: every write it can think of. */
function mutate(key: ApiKey): number {
  let refused = 0;
  const attempts: (() => void)[] = [
    () => ((key.metadata as Record<string, unknown>).plan = 'enterprise'),
    () => ((key.metadata.limits as Record<string, unknown>).pdfs = 1e9),
    () => (key.metadata.tags as string[]).push('admin'),
    () => ((key.metadata.tags as string[])[0] = 'changed'),
    () => delete (key.metadata as Record<string, unknown>).plan,
    () => ((key.scopes as string[])[0] = '*'),
    () => ((key as { name: string }).name = 'changed'),
  ];
  for (const attempt of attempts) {
    try {
      attempt();
    } catch {
      refused++;
    }
  }
  return refused;
}

describe("the key handed to a request's handler", () => {
  for (const [label, store] of [
    ['memory store', memoryStore],
    ['cached records of a store a round trip away', remote],
  ] as const) {
    it(`is deeply frozen: a handler that writes to it changes nothing for later requests (${label})`, async () => {
      const keyward = createKeyward({ store: store(), format: tipar });
      const metadata = { plan: 'free', limits: { pdfs: 100 }, tags: ['a', 'b'] };
      const { key } = await keyward.create({ workspaceId: 'ws', name: 'k', scopes: ['pdf:write'], metadata });
      const first = await keyward.verify(bearer(key));
      if (!first.ok) throw first.error;
      expect(mutate(first.key)).toBe(7);
      for (let i = 0; i < 3; i++) {
        const later = await keyward.verify(bearer(key));
        if (!later.ok) throw later.error;
        expect(later.key).toMatchObject({ name: 'k', scopes: ['pdf:write'], metadata });
      }
      // Reading it through the lifecycle shows the same, and the caller's own object was never shared.
      const { record } = await keyward.create({ workspaceId: 'ws', name: 'k2', metadata });
      metadata.limits.pdfs = 5;
      expect((await keyward.get(record.id))?.metadata).toEqual({ plan: 'free', limits: { pdfs: 100 }, tags: ['a', 'b'] });
    });
  }
});
