import type { InvalidationBus, InvalidationMessage } from '@keyward/core/store';
import type { Cluster, Redis } from 'ioredis';
import { connect, quit, type RedisConnection } from './internal/connection.js';

/** Options of {@link redisInvalidation}. */
export interface RedisInvalidationOptions {
  /**
   * The client that publishes (a `Redis` or a `Cluster`; the store's client is fine). Subscribing
   * uses a duplicate of it, since a subscribed connection can run no other command. Or
   * `{ url, options? }` for a client the bus opens and closes in `close()`.
   */
  redis: RedisConnection;
  /** The pub/sub channel. Use one per app (or per environment) sharing a Redis. @default 'keyward:invalidate' */
  channel?: string;
  /**
   * `subscribe` rejects when the subscription is not active within this time (the engine then
   * retries with a backoff, and serves every verify from the store meanwhile).
   * @default 5000 (ms)
   */
  subscribeTimeout?: number;
}

/** The Redis invalidation bus. */
export interface RedisInvalidation extends InvalidationBus {
  readonly channel: string;
  /** Closes the subscriber connections still open, and the client when the bus opened it (`{ url }`). */
  close(): Promise<void>;
}

function lost(what: string): Error {
  return new Error(`redisInvalidation: ${what}; invalidations sent meanwhile were missed`);
}

/**
 * An {@link InvalidationBus} on Redis pub/sub: `PUBLISH` of `{"keyId":"…"}` (an id only, never a
 * key or a hash), `SUBSCRIBE` on a duplicated connection. On a Cluster, classic `PUBLISH` reaches
 * the subscribers of every node, so the subscriber may sit on any node.
 *
 * ioredis resubscribes by itself after a reconnection (`autoResubscribe`). Messages sent while the
 * connection was down are lost, so `onError` hears both the loss of the connection and its return
 * (the engine then drops its whole cache and serves from the store for one cache TTL).
 *
 * @throws {TypeError} for a missing client. @throws {RangeError} for an empty channel.
 * @example
 * ```ts
 * const keyward = createKeyward({ store, invalidation: redisInvalidation({ redis }) });
 * await keyward.ready();
 * ```
 */
export function redisInvalidation(options: RedisInvalidationOptions): RedisInvalidation {
  if (!options || typeof options !== 'object') throw new TypeError('redisInvalidation needs { redis }');
  const channel = options.channel ?? 'keyward:invalidate';
  if (typeof channel !== 'string' || channel.length === 0) throw new RangeError('redisInvalidation: channel must be a non-empty string');
  const subscribeTimeout = options.subscribeTimeout ?? 5000;
  if (!(subscribeTimeout > 0)) throw new RangeError('redisInvalidation: subscribeTimeout must be a positive number of milliseconds');
  const { client, owned } = connect(options.redis, 'redisInvalidation');
  const subscribers = new Set<Redis | Cluster>();

  function duplicate(): Redis | Cluster {
    // The offline queue lets SUBSCRIBE wait for the connection (and autoResubscribe replay it),
    // whatever the options of the client being copied; the timeout below bounds the wait.
    const override = { enableOfflineQueue: true, autoResubscribe: true, lazyConnect: false, maxRetriesPerRequest: null };
    return client.isCluster ? (client as Cluster).duplicate([], override) : (client as Redis).duplicate(override);
  }

  async function stop(subscriber: Redis | Cluster): Promise<void> {
    if (!subscribers.delete(subscriber)) return;
    subscriber.removeAllListeners('message');
    await quit(subscriber);
  }

  return {
    system: 'redis',
    channel,
    async publish(message: InvalidationMessage): Promise<void> {
      if (!message || typeof message.keyId !== 'string') throw new TypeError('an invalidation message is { keyId: string }');
      const sentAt = typeof message.sentAt === 'number' ? message.sentAt : undefined;
      await client.publish(channel, JSON.stringify(sentAt === undefined ? { keyId: message.keyId } : { keyId: message.keyId, sentAt }));
    },

    async subscribe(listener, onError, onRestored) {
      const subscriber = duplicate();
      subscribers.add(subscriber);
      let active = false;
      let down = false;
      subscriber.on('message', (from: string, payload: string) => {
        if (from !== channel) return;
        let parsed: { keyId?: unknown; sentAt?: unknown } | null;
        try {
          parsed = JSON.parse(payload) as { keyId?: unknown; sentAt?: unknown } | null;
        } catch {
          return; // not ours: ignore
        }
        const keyId = parsed?.keyId;
        if (typeof keyId !== 'string') return;
        const sentAt = parsed?.sentAt;
        try {
          listener(typeof sentAt === 'number' && Number.isFinite(sentAt) ? { keyId, sentAt } : { keyId });
        } catch {
          // A throwing listener must not become an uncaught exception of the connection's emitter.
        }
      });
      // An 'error' listener is required anyway: without one, ioredis reports to the console.
      subscriber.on('error', (error: unknown) => {
        if (active) onError?.(error);
      });
      subscriber.on('close', () => {
        if (!active || down) return;
        down = true;
        onError?.(lost('the subscriber connection closed'));
      });
      subscriber.on('ready', () => {
        if (!active || !down) return;
        down = false;
        onError?.(lost('the subscriber connection is back'));
        onRestored?.();
      });
      let timer: ReturnType<typeof setTimeout> | undefined;
      try {
        await Promise.race([
          subscriber.subscribe(channel),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error(`redisInvalidation: could not subscribe within ${subscribeTimeout} ms`)), subscribeTimeout);
          }),
        ]);
      } catch (error) {
        await stop(subscriber);
        throw error;
      } finally {
        clearTimeout(timer);
      }
      active = true;
      return async () => {
        active = false;
        await stop(subscriber);
      };
    },

    async close() {
      await Promise.all([...subscribers].map(stop));
      if (owned) await quit(client);
    },
  };
}
