import { createHash } from 'node:crypto';
import { memoryStore } from '@keyward/store-memory';
import { prefixedFormat } from '../format/prefixed.js';
import type { KeyStore } from '../store/types.js';
import { createKeyward, type KeywardOptions } from './keyward.js';
import type { VerifyResult } from './types.js';

/** What the engine's tests share: a format, a header, a result's code, a store that counts its calls, an engine on a clock. */

export const tipar = prefixedFormat({ prefix: 'tipar', randomLength: 26 });
export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
export const code = (r: VerifyResult) => (r.ok ? 'ok' : r.error.code);
export const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** A memory store that counts every call, to prove which requests reach the store. */
export function countingStore(inner: KeyStore = memoryStore()) {
  const calls: string[] = [];
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(prop));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls };
}

export function setup(options: Partial<KeywardOptions> = {}) {
  let clock = Date.UTC(2026, 10, 22, 12);
  const { store, calls } = countingStore();
  const keyward = createKeyward({ store, format: tipar, now: () => clock, ...options });
  return { keyward, store, calls, tick: (ms: number) => (clock += ms), now: () => clock };
}
