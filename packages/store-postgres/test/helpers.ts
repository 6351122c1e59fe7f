import pg from 'pg';
import { inject } from 'vitest';

/** The PostgreSQL server of the test run (started by test/global-setup.ts, or DATABASE_URL). */
export function databaseUrl(): string {
  const url = inject('databaseUrl') || process.env.DATABASE_URL;
  if (!url) throw new Error('no PostgreSQL for the tests: run them with the root vitest config (globalSetup) or set DATABASE_URL');
  return url;
}

/** A schema name no other test uses. */
export function randomSchema(label = 't'): string {
  return `kw_${label}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

export function newPool(url = databaseUrl(), max = 10): pg.Pool {
  const pool = new pg.Pool({ connectionString: url, max, connectionTimeoutMillis: 5000 });
  pool.on('error', () => undefined);
  return pool;
}

export async function waitUntil(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}
