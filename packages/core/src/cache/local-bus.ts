import type { InvalidationBus, InvalidationMessage } from './invalidation.js';

/** An invalidation bus inside one process, with the number of its subscribers (for tests). */
export interface LocalInvalidation extends InvalidationBus {
  readonly subscribers: number;
}

/**
 * An invalidation bus inside one process: for several engines in one process and for tests. Across
 * processes use `redisInvalidation` (`@keyward/store-redis`) or `postgresInvalidation`
 * (`@keyward/store-postgres`).
 */
export function localInvalidation(): LocalInvalidation {
  const listeners = new Set<(message: InvalidationMessage) => void>();
  return {
    get subscribers() {
      return listeners.size;
    },
    async publish(message) {
      for (const listener of [...listeners]) {
        try {
          listener(message.sentAt === undefined ? { keyId: message.keyId } : { keyId: message.keyId, sentAt: message.sentAt });
        } catch {
          // One failing listener must not keep the message from the others.
        }
      }
    },
    async subscribe(listener) {
      listeners.add(listener);
      return async () => {
        listeners.delete(listener);
      };
    },
  };
}

/** @deprecated Renamed {@link localInvalidation} (as `redisInvalidation`, `postgresInvalidation`); removed in the next release. */
export const localInvalidationBus: () => LocalInvalidation = localInvalidation;
