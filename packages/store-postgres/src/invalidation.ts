import type { InvalidationBus, InvalidationMessage } from '@keyward/core/store';
import pg from 'pg';
import type { ClientConfig, Notification, Pool } from 'pg';
import { resolvePool, type PostgresConnection } from './connection.js';
import { translateError } from './errors.js';
import { checkChannel, quoteIdentifier } from './identifiers.js';

/** Options of {@link postgresInvalidation}. */
export type PostgresInvalidationOptions = PostgresConnection & {
  /**
   * The `LISTEN` / `NOTIFY` channel. Every instance of one app must use the same one. A plain SQL
   * identifier (it is quoted, so case-sensitive).
   * @default 'keyward_invalidation'
   */
  channel?: string;
  /** Delays between reconnection attempts of the `LISTEN` connection: doubling from `min` up to `max` (ms). @default { min: 100, max: 5000 } */
  reconnectDelay?: { min?: number; max?: number };
  /**
   * How often the `LISTEN` connection is probed with `SELECT 1`, so that a connection that died
   * silently is noticed (and the cache dropped). `0` turns it off. @default 15000 (ms)
   */
  heartbeatInterval?: number;
};

/** An {@link InvalidationBus} over PostgreSQL `LISTEN` / `NOTIFY`. */
export interface PostgresInvalidation extends InvalidationBus {
  /** The channel in use. */
  readonly channel: string;
  /** Stops listening and ends the connections the bus opened (a pool you passed stays open). */
  close(): Promise<void>;
}

/** @deprecated Renamed {@link PostgresInvalidation} (as `RedisInvalidation`, `LocalInvalidation`); removed in the next release. */
export type PostgresInvalidationBus = PostgresInvalidation;

interface Subscriber {
  readonly listener: (message: InvalidationMessage) => void;
  readonly onError: ((error: unknown) => void) | undefined;
  readonly onRestored: (() => void) | undefined;
}

/** The longest key id a message may carry. */
export const MAX_KEY_ID = 512;

/**
 * Sends `{"keyId": "…"}` on `channel` with `pg_notify` — the key id only, never a key or a hash
 * (and when it was sent, when the message says, for the lag metric).
 * @throws {TypeError} for a message without a key id.
 */
export async function notify(pool: Pick<Pool, 'query'>, channel: string, message: InvalidationMessage): Promise<void> {
  const keyId = message?.keyId;
  if (typeof keyId !== 'string' || keyId.length === 0 || keyId.length > MAX_KEY_ID) {
    throw new TypeError(`publish needs { keyId }: a key id of 1-${MAX_KEY_ID} characters (never the key itself)`);
  }
  try {
    const payload = typeof message.sentAt === 'number' ? { keyId, sentAt: message.sentAt } : { keyId };
    await pool.query({ name: 'keyward_notify', text: 'SELECT pg_notify($1, $2)', values: [channel, JSON.stringify(payload)] });
  } catch (error) {
    throw translateError(error);
  }
}

/** The message in a NOTIFY payload, or `null` for anything that is not one of ours. */
export function parseMessage(payload: string | undefined): InvalidationMessage | null {
  if (payload === undefined || payload.length > 2 * MAX_KEY_ID) return null;
  try {
    const value = JSON.parse(payload) as unknown;
    const keyId = typeof value === 'object' && value !== null ? (value as { keyId?: unknown }).keyId : undefined;
    if (!(typeof keyId === 'string' && keyId.length > 0 && keyId.length <= MAX_KEY_ID)) return null;
    const sentAt = (value as { sentAt?: unknown }).sentAt;
    return typeof sentAt === 'number' && Number.isFinite(sentAt) ? { keyId, sentAt } : { keyId };
  } catch {
    return null;
  }
}

/**
 * Cross-instance cache invalidation with PostgreSQL `LISTEN` / `NOTIFY`: `publish` sends
 * `{"keyId": "…"}` (never a key, a secret or a hash) with `pg_notify`; `subscribe` keeps one
 * dedicated connection in `LISTEN`.
 *
 * When that connection drops, every subscriber's `onError` hears it (the engine then drops its whole
 * cache), and the bus reconnects with backoff; `onError` is called once more after it is listening
 * again, since messages sent in between were missed.
 *
 * @example
 * ```ts
 * const invalidation = postgresInvalidation({ pool });
 * const keyward = createKeyward({ store: postgresStore({ pool }), invalidation });
 * ```
 * @throws {TypeError} without a pool or connection string; {RangeError} for an invalid channel.
 */
export function postgresInvalidation(options: PostgresInvalidationOptions): PostgresInvalidation {
  const channel = checkChannel(options?.channel ?? 'keyward_invalidation');
  const { pool, owned } = resolvePool(options, 'postgresInvalidation', { max: 2 });
  const minDelay = Math.max(1, options.reconnectDelay?.min ?? 100);
  const maxDelay = Math.max(minDelay, options.reconnectDelay?.max ?? 5000);
  const heartbeatInterval = options.heartbeatInterval ?? 15_000;
  if (!(heartbeatInterval >= 0)) throw new RangeError('heartbeatInterval must be 0 (off) or a number of milliseconds');
  // The LISTEN connection is made exactly like the pool's own clients, outside the pool so it
  // never takes one of its slots.
  const clientConfig: ClientConfig = { ...(pool.options as ClientConfig), keepAlive: true };

  const subscribers = new Set<Subscriber>();
  let client: pg.Client | null = null;
  let starting: Promise<void> | null = null;
  let reconnectTimer: ReturnType<typeof setTimeout> | null = null;
  let heartbeatTimer: ReturnType<typeof setInterval> | null = null;
  let attempt = 0;
  let closed = false;

  function deliver(message: Notification): void {
    if (message.channel !== channel) return;
    const parsed = parseMessage(message.payload);
    if (parsed === null) return;
    for (const s of subscribers) {
      try {
        s.listener(parsed);
      } catch {
        // One failing listener must not keep the message from the others.
      }
    }
  }

  function reportError(error: unknown): void {
    for (const s of subscribers) {
      try {
        s.onError?.(error);
      } catch {
        // Same as above.
      }
    }
  }

  /** Opens a connection and LISTENs; resolves when it is listening. */
  async function connect(): Promise<void> {
    const c = new pg.Client(clientConfig);
    let dead: Error | null = null;
    const onDrop = (error: Error) => {
      if (dead) return;
      dead = error;
      if (client === c) dropped(c, error);
    };
    c.on('error', onDrop);
    c.on('end', () => onDrop(new Error('the LISTEN connection to PostgreSQL ended')));
    c.on('notification', deliver);
    try {
      await c.connect();
      await c.query(`LISTEN ${quoteIdentifier(channel)}`);
      if (dead) throw dead;
      if (closed || subscribers.size === 0) {
        await c.end().catch(() => undefined);
        return;
      }
      client = c;
      attempt = 0;
      startHeartbeat();
    } catch (error) {
      c.removeListener('notification', deliver);
      await c.end().catch(() => undefined);
      throw translateError(error);
    }
  }

  function dropped(c: pg.Client, error: Error): void {
    if (client !== c) return;
    client = null;
    stopHeartbeat();
    c.removeListener('notification', deliver);
    c.end().catch(() => undefined);
    reportError(error);
    scheduleReconnect();
  }

  function scheduleReconnect(): void {
    if (closed || subscribers.size === 0 || reconnectTimer !== null) return;
    const base = Math.min(maxDelay, minDelay * 2 ** Math.min(attempt, 20));
    attempt++;
    // Jitter, so that every instance does not reconnect in the same millisecond after a failover.
    const delay = Math.round(base / 2 + Math.random() * (base / 2));
    reconnectTimer = setTimeout(() => {
      reconnectTimer = null;
      if (closed || subscribers.size === 0) return;
      starting ??= connect().finally(() => {
        starting = null;
      });
      starting.then(
        () => {
          if (client === null) return;
          reportError(new Error('the LISTEN connection to PostgreSQL was restored; invalidations sent while it was down were missed'));
          for (const s of subscribers) {
            try {
              s.onRestored?.();
            } catch {
              // Same as in reportError.
            }
          }
        },
        (error: unknown) => {
          reportError(error);
          scheduleReconnect();
        },
      );
    }, delay);
  }

  function startHeartbeat(): void {
    if (heartbeatInterval === 0 || heartbeatTimer !== null) return;
    heartbeatTimer = setInterval(() => {
      const c = client;
      if (c === null) return;
      c.query('SELECT 1').catch((error: unknown) => dropped(c, error instanceof Error ? error : new Error(String(error))));
    }, heartbeatInterval);
    heartbeatTimer.unref?.();
  }

  function stopHeartbeat(): void {
    if (heartbeatTimer !== null) clearInterval(heartbeatTimer);
    heartbeatTimer = null;
  }

  async function stopListening(): Promise<void> {
    if (reconnectTimer !== null) clearTimeout(reconnectTimer);
    reconnectTimer = null;
    stopHeartbeat();
    const c = client;
    client = null;
    attempt = 0;
    if (c !== null) {
      c.removeListener('notification', deliver);
      await c.end().catch(() => undefined);
    }
  }

  return {
    system: 'postgresql',
    channel,

    publish: (message: InvalidationMessage) => notify(pool, channel, message),

    async subscribe(listener, onError, onRestored) {
      if (typeof listener !== 'function') throw new TypeError('subscribe needs a listener function');
      if (closed) throw new Error('this invalidation bus was closed');
      const subscriber: Subscriber = { listener, onError, onRestored };
      subscribers.add(subscriber);
      if (client === null && reconnectTimer === null) {
        starting ??= connect().finally(() => {
          starting = null;
        });
        try {
          await starting;
        } catch (error) {
          subscribers.delete(subscriber);
          throw error;
        }
      }
      let active = true;
      return async () => {
        if (!active) return;
        active = false;
        subscribers.delete(subscriber);
        if (subscribers.size === 0) {
          await starting?.catch(() => undefined);
          if (subscribers.size === 0) await stopListening();
        }
      };
    },

    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      subscribers.clear();
      await starting?.catch(() => undefined);
      await stopListening();
      if (owned) await pool.end();
    },
  };
}
