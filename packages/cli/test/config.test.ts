// `--config`: the command makes and rotates keys exactly as the app does — its format (lengths,
// environments, checksum) and its hashing (a pepper) — and refuses to rotate without it, leaving
// the old key untouched. A real child process against the real PostgreSQL of the test run.
import { randomBytes } from 'node:crypto';
import { createKeyward, hmacSha256Hasher, idSecretFormat, prefixedFormat } from '@keyward/core';
import { postgresStore } from '@keyward/store-postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { fixture, keyward } from './cli-run.js';

const tablePrefix = `cfg_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}_`;
const pepper = randomBytes(32).toString('hex');
const env = () => ({ KEYWARD_STORE_URL: inject('databaseUrl'), TEST_PEPPER: pepper });
const base = ['--table-prefix', tablePrefix];
const store = postgresStore({ connectionString: inject('databaseUrl') }, { tablePrefix });
// The app: the format and hashing of fixtures/tight.config.ts.
const app = createKeyward({
  store,
  format: prefixedFormat({ prefix: 'tight', environments: ['live'], randomLength: 40, checksum: false }),
  hash: hmacSha256Hasher({ pepper, id: 'p1' }),
  cache: false,
});
const passes = async (key: string) => (await app.verify({ authorization: `Bearer ${key}` })).ok;

beforeAll(() => store.migrate());
afterAll(() => store.close());

describe('keyward --config', () => {
  it('keys create makes a key of the app’s format and hashing, which the app accepts', { timeout: 60_000 }, async () => {
    const created = await keyward(
      [...base, '--config', fixture('tight.config.ts'), 'keys', 'create', '--workspace', 'ws_cfg', '--name', 'made by the CLI', '--json'],
      env(),
    );
    expect(created.code, created.stderr).toBe(0);
    const { key } = JSON.parse(created.stdout) as { key: string };
    expect(key).toMatch(/^tight_live_[A-Za-z0-9]{40}$/);
    expect(await passes(key)).toBe(true);
    // Without --config, a built-in format with its defaults and SHA-256: not the app's key.
    const plain = await keyward([...base, 'keys', 'create', '--workspace', 'ws_cfg', '--name', 'default', '--prefix', 'tight', '--json'], env());
    expect(await passes((JSON.parse(plain.stdout) as { key: string }).key)).toBe(false);
  });

  it('keys rotate makes the new key in the app’s format: it works in the app, the old one stops', { timeout: 60_000 }, async () => {
    const { key, record } = await app.create({ workspaceId: 'ws_cfg', name: 'to rotate' });
    const rotated = await keyward([...base, '--config', fixture('tight.config.ts'), 'keys', 'rotate', record.id, '--json'], env());
    expect(rotated.code, rotated.stderr).toBe(0);
    const next = JSON.parse(rotated.stdout) as { key: string; record: { name: string } };
    expect(next.key).toMatch(/^tight_live_[A-Za-z0-9]{40}$/);
    expect(next.record.name).toBe('to rotate');
    expect([await passes(next.key), await passes(key)]).toEqual([true, false]);
  });

  it('keys rotate without --config is refused (exit 2) and changes nothing', { timeout: 60_000 }, async () => {
    const { key, record } = await app.create({ workspaceId: 'ws_cfg', name: 'keep me' });
    const refused = await keyward([...base, 'keys', 'rotate', record.id], env());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/needs --config/);
    expect(refused.stdout).toBe('');
    expect(await passes(key)).toBe(true);
    expect((await app.get(record.id))?.rotatedToId).toBeNull();
  });

  it('keys rotate is refused when the config does not have the key’s format, or makes other keys than it', { timeout: 60_000 }, async () => {
    const { key, record } = await app.create({ workspaceId: 'ws_cfg', name: 'foreign' });
    const other = await keyward([...base, '--config', fixture('acme.config.ts'), 'keys', 'rotate', record.id], env());
    expect(other.code).toBe(2);
    expect(other.stderr).toMatch(/format "tight", which --config .* does not have \(it has acme\)/);
    const unlike = await keyward([...base, '--config', fixture('tight-test-only.config.ts'), 'keys', 'rotate', record.id], env());
    expect(unlike.code).toBe(2);
    expect(unlike.stderr).toMatch(/cannot make a key like this one: unknown environment "live"/);
    expect(await passes(key)).toBe(true);
    expect((await app.get(record.id))?.rotatedToId).toBeNull();
  });

  it('takes the formats of an exported engine; refuses a module without `keyward` or one that does not load', { timeout: 60_000 }, async () => {
    const created = await keyward(
      [...base, '--config', fixture('engine.config.ts'), 'keys', 'create', '--workspace', 'ws_eng', '--name', 'e', '--format', 'id-secret', '--json'],
      env(),
    );
    expect(created.code, created.stderr).toBe(0);
    const { key } = JSON.parse(created.stdout) as { key: string };
    expect(key).toMatch(/^[a-z0-9]{6}\.[A-Za-z0-9]{32}$/);
    const engineApp = createKeyward({
      store,
      format: [prefixedFormat({ prefix: 'eng', checksum: false }), idSecretFormat({ idLength: 6 })],
      cache: false,
    });
    expect((await engineApp.verify({ authorization: `Bearer ${key}` })).ok).toBe(true);
    const broken = await keyward([...base, '--config', fixture('broken.config.ts'), 'keys', 'list', '--workspace', 'ws_eng'], env());
    expect([broken.code, broken.stderr]).toEqual([2, expect.stringMatching(/must export `keyward`/)]);
    const missing = await keyward([...base, '--config', fixture('nope.config.ts'), 'keys', 'list', '--workspace', 'ws_eng'], env());
    expect([missing.code, missing.stderr]).toEqual([2, expect.stringMatching(/cannot load --config/)]);
    const wrongName = await keyward(
      [...base, '--config', fixture('engine.config.ts'), 'keys', 'create', '--workspace', 'w', '--name', 'n', '--format', 'kw'],
      env(),
    );
    expect([wrongName.code, wrongName.stderr]).toEqual([2, expect.stringMatching(/not a format of --config .* \(it has eng, id-secret\)/)]);
  });
});
