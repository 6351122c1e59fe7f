import { Redis, type Cluster, type RedisOptions } from 'ioredis';
import { type ScriptDefinition, withExpiryIndex, withSnapshots } from './script-wrappers.js';
import { SCRIPTS } from './scripts.js';

/** A client the user passes, or a URL for a client the store opens (and closes) itself. */
export type RedisConnection = Redis | Cluster | { url: string; options?: RedisOptions };

/**
 * ioredis options that bound how long a command waits when the server is gone or hangs: one
 * retry per command instead of twenty, a 1 s command timeout, reconnections every 0.1-1 s. The
 * offline queue stays on, so commands sent before the first connection wait for it. Used for
 * clients the store opens from a URL; see the README for a client you pass (and
 * `enableOfflineQueue: false`, which refuses at once while disconnected).
 */
export const FAIL_FAST_OPTIONS: Readonly<RedisOptions> = Object.freeze({
  maxRetriesPerRequest: 1,
  connectTimeout: 2000,
  commandTimeout: 1000,
  retryStrategy: (times: number) => Math.min(100 * times, 1000),
});

export interface Connection {
  readonly client: Redis | Cluster;
  readonly owned: boolean;
}

function isClient(value: unknown): value is Redis | Cluster {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Redis).defineCommand === 'function' &&
    typeof (value as Redis).get === 'function' &&
    typeof (value as { isCluster?: unknown }).isCluster === 'boolean'
  );
}

/**
 * @throws {TypeError} when `redis` is neither an ioredis client nor `{ url }`.
 */
export function connect(redis: RedisConnection, what: string): Connection {
  if (isClient(redis)) return { client: redis, owned: false };
  if (redis && typeof redis === 'object' && typeof (redis as { url?: unknown }).url === 'string') {
    const { url, options } = redis as { url: string; options?: RedisOptions };
    return { client: new Redis(url, { ...FAIL_FAST_OPTIONS, ...options }), owned: true };
  }
  throw new TypeError(`${what}: options.redis must be an ioredis Redis or Cluster client, or { url: 'redis://…' }`);
}

/**
 * Calls a script defined with `defineCommand` (EVALSHA, then EVAL on NOSCRIPT); with `buffers`,
 * bulk strings in the reply come as Buffers.
 */
export type ScriptCaller = (
  script: ScriptDefinition,
  keys: readonly string[],
  args: readonly (string | number)[],
  buffers?: boolean,
) => Promise<unknown>;

export function defineScripts(client: Redis | Cluster, scripts: readonly ScriptDefinition[] = SCRIPTS): ScriptCaller {
  const commands = client as unknown as Record<string, ((...args: (string | number)[]) => Promise<unknown>) | undefined>;
  // On a standalone server, scripts that write records also refresh their snapshots (scripts.ts).
  const standalone = !client.isCluster;
  const defined = new Map<string, string>();
  for (const script of scripts) {
    // Every script that may change an expiry keeps the group's expiry index (scripts.ts).
    const indexed = withExpiryIndex(script);
    const variant = standalone ? withSnapshots(indexed) : indexed;
    // Idempotent: a second store on the same client defines the same script again.
    // `keys: -1`: a variable number of keys, given with each call (as EVALSHA's numkeys).
    if (typeof commands[variant.name] !== 'function')
      client.defineCommand(variant.name, variant.keys < 0 ? { lua: variant.lua } : { numberOfKeys: variant.keys, lua: variant.lua });
    defined.set(script.name, variant.name);
  }
  return (script, keys, args, buffers = false) => {
    if (script.keys >= 0 && keys.length !== script.keys) throw new RangeError(`${script.name} takes ${script.keys} keys`);
    const base = defined.get(script.name);
    if (base === undefined) throw new RangeError(`${script.name} is not defined on this client`);
    // defineCommand also defines `<name>Buffer`.
    const name = buffers ? `${base}Buffer` : base;
    return script.keys < 0 ? commands[name]!.call(client, keys.length, ...keys, ...args) : commands[name]!.call(client, ...keys, ...args);
  };
}

/** Quits a client and waits (1 s at most) until its connections are closed. */
export async function quit(client: Redis | Cluster): Promise<void> {
  if (client.status === 'end') return;
  if (client.status === 'reconnecting') {
    // Between two attempts: disconnect() cancels the next one, and no 'end' event follows.
    client.disconnect();
    return;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const ended = new Promise<void>((resolve) => {
    client.once('end', () => resolve());
    timer = setTimeout(resolve, 1000);
  });
  if (client.status === 'ready') await client.quit().catch(() => client.disconnect());
  else client.disconnect();
  await ended;
  clearTimeout(timer);
}
