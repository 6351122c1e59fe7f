import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
export { serveFetch } from './fetch-server.js';
export { mergeExpositions } from './prometheus-merge.js';
export { metricsFromEnv } from './telemetry.js';
export type { ExampleMetrics } from './telemetry.js';
export { DASHBOARD_BASE_PATH, DEMO_NOTICE, demoPage, demoSessions, type DemoPerson, type DemoSessions } from './demo-session.js';
import { DASHBOARD_BASE_PATH, type DemoSessions } from './demo-session.js';
import type { InvalidationBus, KeyStore } from '@keyward/core';
import { memoryStore } from '@keyward/store-memory';
import { postgresInvalidation, postgresStore } from '@keyward/store-postgres';
import { embeddedStore } from '@keyward/store-postgres/embedded';
import { redisInvalidation, redisStore } from '@keyward/store-redis';

export interface ExampleStore {
  store: KeyStore;
  invalidation?: InvalidationBus;
  /** `embedded PostgreSQL in <dir>`, `memory store`, `PostgreSQL` or `Redis`, for the start banner. */
  description: string;
  close(): Promise<void>;
}

/**
 * PostgreSQL when DATABASE_URL is set (tables `<app>_…`, migrated at start), else Redis when
 * REDIS_URL is set (keys `<app>:…`), else the memory store when KEYWARD_STORE=memory, else the
 * embedded store (PostgreSQL in this process) in KEYWARD_DATA_DIR (default `.keyward` in the
 * working directory), whose keys survive restarts. KEYWARD_TABLE_PREFIX and KEYWARD_REDIS_PREFIX
 * override the prefixes (the tests use fresh ones).
 */
export async function storeFromEnv(app: string, env: NodeJS.ProcessEnv = process.env): Promise<ExampleStore> {
  if (env.DATABASE_URL) {
    const store = postgresStore({ connectionString: env.DATABASE_URL }, { tablePrefix: env.KEYWARD_TABLE_PREFIX ?? `${app}_` });
    await store.migrate();
    const invalidation = postgresInvalidation({ connectionString: env.DATABASE_URL, channel: `${app}_invalidation` });
    return {
      store,
      invalidation,
      description: 'PostgreSQL',
      close: async () => {
        await invalidation.close();
        await store.close();
      },
    };
  }
  if (env.REDIS_URL) {
    const prefix = env.KEYWARD_REDIS_PREFIX ?? `${app}:`;
    const store = redisStore({ redis: { url: env.REDIS_URL }, prefix });
    const invalidation = redisInvalidation({ redis: { url: env.REDIS_URL }, channel: `${prefix}invalidate` });
    return {
      store,
      invalidation,
      description: 'Redis',
      close: async () => {
        await invalidation.close();
        await store.close();
      },
    };
  }
  if (env.KEYWARD_STORE === 'memory') return { store: memoryStore(), description: 'memory store', close: async () => undefined };
  const dir = env.KEYWARD_DATA_DIR ?? join(process.cwd(), '.keyward');
  const store = await embeddedStore({ dir });
  // One engine per example process: no invalidation bus needed (an engine drops its own entries).
  return { store, description: `embedded PostgreSQL in ${store.dir}`, close: () => store.close() };
}

/**
 * Prints the demo banner: where the app listens, its demo keys (made at start, in this demo's
 * store only — printed on purpose), the key-management page with its demo sign-in links and API, and
 * ready-to-paste curl lines. With DEMO_KEYS_FILE, also writes the keys as JSON (mode 600), before
 * the banner. Ends with the `Try:` block, which the start tests wait for.
 */
export function announce(
  title: string,
  keys: object,
  curls: readonly string[],
  dashboard?: { readonly origin: string; readonly sessions: DemoSessions },
): void {
  // The file first: whoever waits for the banner may read it at once.
  if (process.env.DEMO_KEYS_FILE) writeFileSync(process.env.DEMO_KEYS_FILE, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });
  console.log(`${title}\n`);
  for (const [label, key] of Object.entries(keys)) console.log(`  ${label.padEnd(18)} ${String(key)}`);
  if (dashboard) {
    const api = `${dashboard.origin}${DASHBOARD_BASE_PATH}/api`;
    console.log(
      '\nKey management (@keyward/dashboard): open a sign-in link, it lands on the page. The links are a demo-only session, not for production:',
    );
    console.log(`  ${'page'.padEnd(18)} ${dashboard.origin}${DASHBOARD_BASE_PATH}/`);
    for (const [as, link] of Object.entries(dashboard.sessions.links(dashboard.origin))) {
      console.log(`  ${`sign in: ${as}`.padEnd(18)} ${link}   (${dashboard.sessions.who(as)})`);
    }
    console.log(`  ${'management API'.padEnd(18)} ${api}   (OpenAPI 3.1: ${api}/openapi.json)`);
  }
  console.log('\nTry:');
  for (const line of curls) console.log(`  ${line}`);
}

/** Closes the server and the store on SIGINT / SIGTERM. */
export function closeOnSignal(close: () => Promise<unknown>): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => void close().finally(() => process.exit(0)));
  }
}
