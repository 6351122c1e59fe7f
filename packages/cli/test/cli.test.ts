// The keyward command as operators run it: a real child process against the real PostgreSQL and
// Redis of the test run.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { createKeyward, idSecretFormat, prefixedFormat } from '@keyward/core';
import { postgresStore } from '@keyward/store-postgres';
import { redisStore } from '@keyward/store-redis';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { fixture, keyward } from './cli-run.js';

const acmeConfig = fixture('acme.config.ts');
const dir = mkdtempSync(join(tmpdir(), 'keyward-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const stores = [
  {
    name: 'PostgreSQL',
    args: () => ['--store', inject('databaseUrl'), '--table-prefix', `cli_${tag}_`],
    open: () => postgresStore({ connectionString: inject('databaseUrl') }, { tablePrefix: `cli_${tag}_` }),
  },
  {
    name: 'Redis',
    args: () => ['--store', inject('redisUrl'), '--redis-prefix', `cli:${tag}:`],
    open: () => redisStore({ redis: { url: inject('redisUrl') }, prefix: `cli:${tag}:` }),
  },
] as const;

describe.each(stores)('keyward on $name', ({ name, args, open }) => {
  it('migrates, creates a key that verifies, lists, shows, renames, rotates and revokes it', { timeout: 90_000 }, async () => {
    const store = args();
    const migrated = await keyward([...store, 'migrate', '--json']);
    expect(migrated.code).toBe(0);
    expect(JSON.parse(migrated.stdout).store).toBe(name === 'Redis' ? 'redis' : 'postgres');

    const created = await keyward([
      ...store,
      'keys',
      'create',
      '--workspace',
      'ws_ops',
      '--name',
      'deploy bot',
      '--scopes',
      'notes:read,notes:write',
      '--prefix',
      'acme',
      '--expires-in',
      '30d',
    ]);
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^acme_live_[A-Za-z0-9]+$/);
    expect(created.stderr).toMatch(/shown once/);
    // The printed key works through an engine on the same store.
    const s = open();
    const engine = createKeyward({ store: s, format: prefixedFormat({ prefix: 'acme' }), cache: false });
    const verified = await engine.verify({ authorization: `Bearer ${key}` }, { scopes: ['notes:write'] });
    expect(verified.ok && verified.key.name).toBe('deploy bot');
    const id = verified.ok ? verified.key.id : '';

    const listed = await keyward([...store, 'keys', 'list', '--workspace', 'ws_ops', '--json']);
    expect(listed.code).toBe(0);
    const items = JSON.parse(listed.stdout).items as { id: string; display: string; scopes: string[] }[];
    expect(items.map((k) => [k.id, k.display, k.scopes])).toEqual([[id, `acme_live_…${key.slice(-4)}`, ['notes:read', 'notes:write']]]);
    const human = await keyward([...store, 'keys', 'list', '--workspace', 'ws_ops']);
    expect(human.stdout).toContain('deploy bot');

    const shown = await keyward([...store, 'keys', 'show', id]);
    expect(shown.stdout).toMatch(/workspaceId\s+ws_ops/);
    for (const out of [listed, human, shown]) {
      expect(out.stdout + out.stderr).not.toContain(key);
      expect(out.stdout + out.stderr).not.toMatch(/[0-9a-f]{64}/); // never a hash
    }

    expect((await keyward([...store, 'keys', 'rename', id, '--name', 'deploy bot v2'])).code).toBe(0);
    const rotated = await keyward([...store, 'keys', 'rotate', id, '--config', acmeConfig, '--grace', '1h', '--json']);
    expect(rotated.code).toBe(0);
    const next = JSON.parse(rotated.stdout) as { key: string; record: { id: string; name: string }; previous: { expiresAt: string } };
    expect(next.record.name).toBe('deploy bot v2');
    expect(Date.parse(next.previous.expiresAt) - Date.now()).toBeGreaterThan(50 * 60_000);
    for (const k of [key, next.key]) expect((await engine.verify({ authorization: `Bearer ${k}` })).ok).toBe(true);

    expect((await keyward([...store, 'keys', 'revoke', next.record.id])).code).toBe(0);
    expect((await engine.verify({ authorization: `Bearer ${next.key}` })).ok).toBe(false);
    await s.close();
  });

  it('imports keys made elsewhere (JSON lines), legacy ones included', { timeout: 60_000 }, async () => {
    const { key, id } = idSecretFormat().generate();
    const secret = key.slice(key.indexOf('.') + 1);
    const file = join(dir, `import-${name}.jsonl`);
    writeFileSync(
      file,
      `${JSON.stringify({ id, hash: createHash('sha256').update(secret).digest('hex'), name: 'old personal key', hint: key.slice(-4), ownerId: 'acct_1', legacy: true, sunsetAt: '2099-01-01T00:00:00Z', format: 'id-secret' })}\n`,
    );
    const imported = await keyward([...args(), 'keys', 'import', '--file', file]);
    expect(imported.code).toBe(0);
    expect(imported.stdout).toContain(`Imported 1 key: ${id}`);
    const s = open();
    const engine = createKeyward({ store: s, format: idSecretFormat(), cache: false });
    const result = await engine.verify({ authorization: `Bearer ${key}` });
    expect(result.ok && result.headers.sunset).toBe('Thu, 01 Jan 2099 00:00:00 GMT');
    await s.close();
  });

  it('reads the audit log and the usage of a workspace', { timeout: 60_000 }, async () => {
    const created = await keyward([...args(), 'keys', 'create', '--workspace', 'ws_audit', '--name', 'audited', '--json']);
    const { key, record } = JSON.parse(created.stdout) as { key: string; record: { id: string } };
    const s = open();
    const engine = createKeyward({ store: s, cache: false, usage: true, audit: true });
    await engine.verify({ authorization: `Bearer ${key}` });
    await engine.verify({ authorization: `Bearer ${key}` });
    await engine.revoke(record.id, { actor: 'ops@example.com' });
    await engine.close();
    const today = new Date().toISOString().slice(0, 10);
    const usage = await keyward([...args(), 'usage', '--workspace', 'ws_audit', '--from', today, '--to', today, '--json']);
    expect(usage.code).toBe(0);
    expect(JSON.parse(usage.stdout)).toMatchObject({ total: 2, keys: [{ keyId: record.id, count: 2 }] });
    const audit = await keyward([...args(), 'audit', '--workspace', 'ws_audit', '--json']);
    expect(audit.code).toBe(0);
    const events = JSON.parse(audit.stdout).items as { type: string; actor: string | null }[];
    expect(events.find((e) => e.type === 'key.revoked')?.actor).toBe('ops@example.com');
    expect(audit.stdout).not.toContain(key);
    await s.close();
  });
});

describe('keyward errors', () => {
  it('answers --help for every command, exit 0', { timeout: 60_000 }, async () => {
    for (const command of [
      [],
      ['migrate'],
      ['keys', 'create'],
      ['keys', 'list'],
      ['keys', 'rotate'],
      ['keys', 'import'],
      ['audit'],
      ['usage'],
      ['scan'],
    ]) {
      const ran = await keyward([...command, '--help']);
      expect({ command, code: ran.code, usage: ran.stdout.startsWith('Usage: keyward') }).toEqual({ command, code: 0, usage: true });
    }
  });

  it('exits 2 on bad usage, 3 for an unknown key, 4 for an unreachable store — and never echoes a password', { timeout: 60_000 }, async () => {
    const pg = ['--store', inject('databaseUrl'), '--table-prefix', `cli_${tag}_`];
    expect((await keyward(['keys', 'frobnicate'])).code).toBe(2);
    expect((await keyward(['keys', 'list', '--workspace', 'ws'])).stderr).toMatch(/no store/);
    expect((await keyward([...pg, 'keys', 'create', '--name', 'x'])).code).toBe(2);
    expect((await keyward([...pg, 'keys', 'create', '--workspace', 'ws', '--name', 'x', '--prefix', 'Not-Valid'])).code).toBe(2);
    expect((await keyward([...pg, 'keys', 'show', 'a', 'b'])).code).toBe(2);
    expect((await keyward([...pg, 'keys', 'list', '--workspace', 'ws', '--grace', '1h'])).code).toBe(2);
    expect((await keyward(['--store', 'mysql://x', 'keys', 'list', '--workspace', 'ws'])).code).toBe(2);
    const missing = await keyward([...pg, 'keys', 'revoke', 'key_doesnotexist']);
    expect([missing.code, missing.stderr]).toEqual([3, 'keyward: no key with id key_doesnotexist\n']);
    const port = await new Promise<number>((resolve) => {
      const server = createServer().listen(0, '127.0.0.1', () => {
        const { port: p } = server.address() as { port: number };
        server.close(() => resolve(p));
      });
    });
    for (const url of [`postgres://admin:s3cr3t-pw@127.0.0.1:${port}/db`, `redis://:s3cr3t-pw@127.0.0.1:${port}`]) {
      const down = await keyward(['--store', url, 'keys', 'list', '--workspace', 'ws']);
      expect(down.code).toBe(4);
      expect(down.stderr).toMatch(/cannot reach the store/);
      expect(down.stderr).toMatch(/warning: the password in --store can be read by every user .*; set KEYWARD_STORE_URL instead/);
      expect(down.stderr + down.stdout).not.toContain('s3cr3t-pw');
    }
  });

  it('warns when --store carries a password (argv is readable by every local user), never echoing it; KEYWARD_STORE_URL does not', {
    timeout: 60_000,
  }, async () => {
    const url = new URL(inject('databaseUrl'));
    url.username ||= 'postgres';
    url.password = 'pw-in-argv-0123';
    const list = ['--table-prefix', `cli_${tag}_`, 'keys', 'list', '--workspace', 'ws_none'];
    const flagged = await keyward(['--store', url.toString(), ...list]);
    expect(flagged.code).toBe(0);
    expect(flagged.stderr).toBe(
      'keyward: warning: the password in --store can be read by every user of this machine (in the process list); set KEYWARD_STORE_URL instead\n',
    );
    const query = new URL(inject('databaseUrl'));
    query.searchParams.set('password', 'pw-in-argv-0123');
    const inQuery = await keyward(['--store', query.toString(), ...list]);
    expect(inQuery.stderr).toMatch(/warning: the password in --store/);
    const fromEnv = await keyward(list, { KEYWARD_STORE_URL: url.toString() });
    expect([fromEnv.code, fromEnv.stderr]).toEqual([0, '']);
    for (const ran of [flagged, inQuery, fromEnv]) expect(ran.stdout + ran.stderr).not.toContain('pw-in-argv-0123');
  });
});
