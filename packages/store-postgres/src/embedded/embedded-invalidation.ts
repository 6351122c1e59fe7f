import type { InvalidationBus, InvalidationMessage } from '@keyward/core/store';
import { checkChannel, quoteIdentifier } from '../identifiers.js';
import { notify, parseMessage } from '../invalidation.js';
import { translateError } from '../errors.js';
import { dataDirOf, type EmbeddedStore } from './embedded-store.js';

/** Options of {@link embeddedInvalidation}. */
export interface EmbeddedInvalidationOptions {
  /**
   * The `LISTEN` / `NOTIFY` channel; the same for every engine that should hear the others.
   * @default 'keyward_invalidation'
   */
  channel?: string;
}

/** An {@link InvalidationBus} inside the process that owns an embedded store. */
export interface EmbeddedInvalidationBus extends InvalidationBus {
  /** The channel in use. */
  readonly channel: string;
  /** Stops delivering to this bus's subscribers. */
  close(): Promise<void>;
}

/**
 * Cache invalidation between the engines of one process that share an embedded store (an API and
 * a dashboard, say), over the embedded PostgreSQL's own `LISTEN` / `NOTIFY` — the same messages
 * (`{"keyId": "…"}`, never a key or a hash) as `postgresInvalidation` sends through a server, so
 * moving up swaps one line. Nothing outside the process hears it, and nothing needs to: one process
 * owns the data directory. With a single engine you need no bus at all (an engine drops its own
 * cache entry on every change).
 *
 * @example
 * ```ts
 * const store = await embeddedStore({ dir: '.keyward' });
 * const invalidation = embeddedInvalidation(store);
 * const api = createKeyward({ store, invalidation });
 * const dashboard = createKeyward({ store, invalidation });
 * ```
 * @throws {TypeError} for a store not made by `embeddedStore`; {RangeError} for an invalid channel.
 */
export function embeddedInvalidation(store: EmbeddedStore, options: EmbeddedInvalidationOptions = {}): EmbeddedInvalidationBus {
  const open = dataDirOf(store);
  const channel = checkChannel(options.channel ?? 'keyward_invalidation');
  const listeners = new Set<(message: InvalidationMessage) => void>();
  let stopNotifications: (() => void) | null = null;
  let closed = false;

  function deliver(message: InvalidationMessage): void {
    for (const listener of [...listeners]) {
      try {
        listener(message);
      } catch {
        // One failing listener must not keep the message from the others.
      }
    }
  }

  return {
    channel,

    publish: (message: InvalidationMessage) => notify(open.connection.pool, channel, message),

    async subscribe(listener, _onError) {
      // No connection to lose: `onError` is never called.
      if (typeof listener !== 'function') throw new TypeError('subscribe needs a listener function');
      if (closed) throw new Error('this invalidation bus was closed');
      if (!open.listening.has(channel)) {
        try {
          await open.connection.pool.query(`LISTEN ${quoteIdentifier(channel)}`);
        } catch (error) {
          throw translateError(error);
        }
        open.listening.add(channel);
      }
      stopNotifications ??= open.connection.onNotification((n) => {
        if (n.channel !== channel) return;
        const parsed = parseMessage(n.payload);
        if (parsed !== null) deliver(parsed);
      });
      // A fresh function per subscription: one listener subscribed twice is stopped twice.
      const entry = (message: InvalidationMessage) => listener(message);
      listeners.add(entry);
      return async () => {
        listeners.delete(entry);
      };
    },

    async close(): Promise<void> {
      closed = true;
      listeners.clear();
      stopNotifications?.();
      stopNotifications = null;
    },
  };
}
