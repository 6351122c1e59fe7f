// A change made with the command reaches the app's other instances within a second: the command
// publishes it on the invalidation channel they listen on (PostgreSQL NOTIFY, Redis pub/sub).
// The instance is another OS process whose cache keeps a key a minute (@keyward/test-services).
import { fileURLToPath } from 'node:url';
import { createKeyward } from '@keyward/core';
import { postgresStore } from '@keyward/store-postgres';
import { redisStore } from '@keyward/store-redis';
import { measureRevocation } from '@keyward/test-services';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fixture, keyward } from './cli-run.js';

const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const engineModule = (store: string) => fileURLToPath(new URL(`../../${store}/test/propagation-engine.ts`, import.meta.url));

const stores = [
  {
    name: 'PostgreSQL (NOTIFY)',
    channel: `cli_${tag}_invalidation`,
    open: () => postgresStore({ connectionString: inject('databaseUrl') }, { schema: `cli_${tag}` }),
    engineModule: engineModule('store-postgres'),
    // The instance's store and channel, and the same for the command.
    instance: (channel: string) => ({ DATABASE_URL: inject('databaseUrl'), KEYWARD_PG_SCHEMA: `cli_${tag}`, KEYWARD_PG_CHANNEL: channel }),
    cli: (channel: string) => ({ args: ['--schema', `cli_${tag}`, '--channel', channel], env: { KEYWARD_STORE_URL: inject('databaseUrl') } }),
  },
  {
    name: 'Redis (pub/sub)',
    channel: `cli:${tag}:invalidate`,
    open: () => redisStore({ redis: { url: inject('redisUrl') }, prefix: `cli:${tag}:` }),
    engineModule: engineModule('store-redis'),
    instance: (channel: string) => ({ REDIS_URL: inject('redisUrl'), KEYWARD_REDIS_PREFIX: `cli:${tag}:`, KEYWARD_REDIS_CHANNEL: channel }),
    cli: (channel: string) => ({ args: ['--redis-prefix', `cli:${tag}:`, '--channel', channel], env: { KEYWARD_STORE_URL: inject('redisUrl') } }),
  },
];

describe.each(stores)('a change made with keyward on $name', ({ channel, open, engineModule, instance, cli }) => {
  const store = open();
  const app = createKeyward({ store, cache: false });
  beforeAll(async () => {
    if ('migrate' in store) await store.migrate();
  });
  afterAll(async () => {
    if ('pool' in store) await store.pool.query(`DROP SCHEMA IF EXISTS "cli_${tag}" CASCADE`);
    await store.close();
  });

  /** The command, run to its end; the other process must refuse the key within 1 s of that. */
  const run =
    (args: string[], on = channel) =>
    async () => {
      const { args: storeArgs, env } = cli(on);
      const ran = await keyward([...storeArgs, ...args], env);
      expect(ran.code, ran.stderr).toBe(0);
      expect(ran.stderr).not.toMatch(/warning/);
    };

  it('keys revoke: refused by another instance within 1 s of the command’s end', { timeout: 60_000 }, async () => {
    const { key, record } = await app.create({ workspaceId: 'ws_cli', name: 'revoked by the CLI' });
    const seen = await measureRevocation({
      engineModule,
      key,
      env: instance(channel),
      refuseTimeoutMs: 1000,
      revoke: run(['keys', 'revoke', record.id]),
    });
    expect(seen.code).toMatch(/^(invalid_key|revoked_key)$/);
  });

  it('keys rotate: the old key is refused by another instance within 1 s of the command’s end', { timeout: 60_000 }, async () => {
    const { key, record } = await app.create({ workspaceId: 'ws_cli', name: 'rotated by the CLI' });
    const rotate = run(['--config', fixture('default.config.ts'), 'keys', 'rotate', record.id]);
    const seen = await measureRevocation({ engineModule, key, env: instance(channel), refuseTimeoutMs: 1000, revoke: rotate });
    expect(seen.code).toMatch(/^(invalid_key|revoked_key)$/);
  });

  it('on another channel than the instance’s, the instance keeps serving the key from its cache (the channel is what works)', {
    timeout: 60_000,
  }, async () => {
    const { key, record } = await app.create({ workspaceId: 'ws_cli', name: 'other channel' });
    const elsewhere = run(['keys', 'revoke', record.id], `${channel}_elsewhere`);
    await expect(measureRevocation({ engineModule, key, env: instance(channel), refuseTimeoutMs: 2000, revoke: elsewhere })).rejects.toThrow(
      /did not report "refused"/,
    );
  });
});
