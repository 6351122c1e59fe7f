import type { InvalidationBus, KeyStore } from '@keyward/core';
import { postgresInvalidation, postgresStore, type PostgresStore } from '@keyward/store-postgres';
import { redisInvalidation, redisStore } from '@keyward/store-redis';
import { UsageError, type Values } from './args.js';
import { openEmbedded } from './commands/embedded-url.js';

/** A store URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***');
    return parsed.toString();
  } catch {
    return '(an invalid URL)';
  }
}

/** True when the URL carries a password (`user:password@`, or `?password=` as node-postgres reads it). */
export function hasPassword(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.password !== '' || parsed.searchParams.has('password');
  } catch {
    return false;
  }
}

/**
 * The invalidation bus of the app's instances, for publishing only: the command keeps no cache,
 * so it never subscribes (no `LISTEN` connection, no Redis subscriber). Remembers whether a
 * publish failed — the engine swallows that error, since the change itself is stored.
 */
export interface Publisher extends InvalidationBus {
  /** The channel published on. */
  readonly channel: string;
  /** True once a publish failed. */
  readonly failed: boolean;
  close(): Promise<void>;
}

function publishOnly(bus: InvalidationBus & { channel: string; close(): Promise<void> }): Publisher {
  let failed = false;
  return {
    channel: bus.channel,
    get failed() {
      return failed;
    },
    publish: (message) =>
      bus.publish(message).catch((error: unknown) => {
        failed = true;
        throw error;
      }),
    subscribe: async () => async () => undefined,
    close: () => bus.close(),
  };
}

/** The store of `--store`, with what the commands need beyond the `KeyStore` contract. */
export interface OpenedStore {
  store: KeyStore;
  kind: 'postgres' | 'redis';
  /** The store as PostgreSQL (a server or embedded), for export and import. */
  postgres?: PostgresStore;
  /** Publishes on the channel the app's instances listen to (`--channel`, or the bus's default). */
  publisher: Publisher;
  ping(): Promise<void>;
  migrate(): Promise<number[]>;
  close(): Promise<void>;
}

/**
 * Connects to the store of a `postgres://` or `redis://` URL (3 s connect timeout, no retries), or
 * opens the embedded store of `embedded:DIR` (a `DataDirInUseError` while the app holds it).
 */
export async function openStore(url: string, values: Values): Promise<OpenedStore> {
  const scheme = url.slice(0, url.indexOf(':'));
  if (scheme === 'embedded') {
    if (url === 'embedded:') throw new UsageError('embedded:DIR needs the data directory, e.g. embedded:.keyward');
    const { store, invalidation } = await openEmbedded(url, { schema: values.schema, tablePrefix: values['table-prefix'] }, values.channel);
    // Nobody listens (the app cannot run while the command owns the directory): harmless, and the same code path.
    const publisher = publishOnly(invalidation);
    return {
      store,
      postgres: store,
      kind: 'postgres',
      publisher,
      ping: async () => undefined,
      migrate: async () => (await store.migrate()).applied,
      close: async () => {
        await publisher.close();
        await store.close();
      },
    };
  }
  if (scheme === 'postgres' || scheme === 'postgresql') {
    const store = postgresStore(
      { connectionString: url, poolConfig: { connectionTimeoutMillis: 3000, max: 2 } },
      { schema: values.schema, tablePrefix: values['table-prefix'] },
    );
    // NOTIFY through the store's pool: the bus opens no connection of its own for publishing.
    const publisher = publishOnly(postgresInvalidation({ pool: store.pool, channel: values.channel }));
    return {
      store,
      postgres: store,
      kind: 'postgres',
      publisher,
      ping: async () => void (await store.pool.query('SELECT 1')),
      migrate: async () => (await store.migrate()).applied,
      close: async () => {
        await publisher.close();
        await store.close();
      },
    };
  }
  if (scheme === 'redis' || scheme === 'rediss') {
    const store = redisStore({
      redis: { url, options: { connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null } },
      prefix: values['redis-prefix'],
    });
    store.redis.on('error', () => undefined);
    const publisher = publishOnly(redisInvalidation({ redis: store.redis, channel: values.channel }));
    return {
      store,
      kind: 'redis',
      publisher,
      ping: async () => void (await store.redis.ping()),
      migrate: async () => [],
      close: async () => {
        await publisher.close();
        await store.close();
      },
    };
  }
  throw new UsageError(`the store must be a postgres:// or redis:// URL, or embedded:DIR; got ${redactUrl(url)}`);
}
