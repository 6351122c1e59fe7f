// Moving up and back: `keyward export` of an embedded store, `keyward import` into a real
// PostgreSQL server (every key verifies there as before, usage and audit came along, a second
// import changes nothing, a conflicting or cut file writes nothing), then export from the server and
// import into a new embedded store. The command runs as operators run it: a child process.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createKeyward, idSecretFormat, prefixedFormat, sha256Hasher, type Keyward } from '@keyward/core';
import { postgresStore, type PostgresStore } from '@keyward/store-postgres';
import { embeddedStore } from '@keyward/store-postgres/embedded';
import { embeddedDir } from '@keyward/test-services';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';

const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'keyward-transfer-'));
const schema = `kw_transfer_${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const formats = [prefixedFormat({ prefix: 'kw' }), idSecretFormat()];
let server: PostgresStore;

function keyward(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=@keyward/source', '--import', 'tsx', bin, ...args],
      { cwd: root, env: { ...process.env, KEYWARD_STORE_URL: '' }, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(() => {
  server = postgresStore({ connectionString: inject('databaseUrl') }, { schema });
});
const dirs: string[] = [];
/** A data directory holding an empty database, deleted after the file. */
const freshDir = async (label: string) => {
  const { dir } = await embeddedDir(label);
  dirs.push(dir);
  return dir;
};
afterAll(async () => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await server.pool.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`).catch(() => undefined);
  await server.close();
  rmSync(work, { recursive: true, force: true });
});

/** Keys of every kind, with usage, audit events and a quota counter, made by the engine. */
async function fill(engine: Keyward) {
  const live = await engine.create({ workspaceId: 'ws_a', name: 'live', scopes: ['notes:read'], metadata: { plan: 'pro', nested: [1, 'two'] } });
  const tiro = await engine.create({ workspaceId: 'ws_a', name: 'tiro', format: 'id-secret', expiresIn: '30d' });
  const revoked = await engine.create({ workspaceId: 'ws_b', name: 'revoked' });
  await engine.revoke(revoked.record.id);
  const old = await engine.create({ workspaceId: 'ws_b', name: 'rotated' });
  const rotated = await engine.rotate(old.record.id, { gracePeriod: '1h' });
  const secret = idSecretFormat({ idLength: 6 }).generate();
  await engine.import({
    id: secret.id,
    hash: sha256Hasher().hash(secret.key.slice(secret.key.indexOf('.') + 1)),
    ownerId: 'owner_legacy',
    legacy: true,
    name: 'legacy',
    hint: secret.key.slice(-4),
    createdAt: '2024-03-01T00:00:00Z',
  });
  for (let i = 0; i < 3; i++) expect((await engine.verify({ authorization: `Bearer ${live.key}` }, { cost: 1 })).ok).toBe(true);
  await engine.verify({ authorization: `Bearer ${prefixedFormat({ prefix: 'kw' }).generate().key}` });
  await engine.flush();
  return {
    valid: [live.key, tiro.key, old.key, rotated.key],
    refused: [revoked.key],
    liveId: live.record.id,
  };
}

const options = { format: formats, cache: false as const, usage: true, audit: true, policies: { quota: { limit: 100, period: 'month' as const } } };

it('exports an embedded store, imports it into PostgreSQL and back, idempotently, refusing conflicts', { timeout: 240_000 }, async () => {
  const source = await freshDir('transfer-source');
  const target = await freshDir('transfer-target');
  let store = await embeddedStore({ dir: source });
  const engine = createKeyward({ store, ...options });
  const made = await fill(engine);
  await engine.close();
  await store.close();

  // Export: the hashes, never a key.
  const exported = await keyward(['export', '--store', `embedded:${source}`]);
  expect(exported.stderr).toMatch(/Exported 6 keys, 1 usage counts, \d+ audit events, 1 counters/);
  expect(exported.code).toBe(0);
  for (const key of [...made.valid, ...made.refused]) expect(exported.stdout).not.toContain(key.slice(-20));
  const file = join(work, 'store.jsonl');
  writeFileSync(file, exported.stdout);
  const lines = exported.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type?: string; format?: string });
  expect(lines[0]!.format).toBe('keyward-export');
  expect(lines.at(-1)!.type).toBe('end');

  // Into a PostgreSQL server.
  const serverArgs = ['--store', inject('databaseUrl'), '--schema', schema];
  expect((await keyward(['migrate', ...serverArgs])).code).toBe(0);
  const first = await keyward(['import', ...serverArgs, '--file', file, '--json']);
  expect(first.code).toBe(0);
  const outcome = JSON.parse(first.stdout) as { imported: Record<string, number>; present: Record<string, number> };
  expect(outcome.imported).toMatchObject({ key: 6, usage: 1, counter: 1 });
  const onServer = createKeyward({ store: server, ...options });
  for (const key of made.valid) expect((await onServer.verify({ authorization: `Bearer ${key}` })).ok).toBe(true);
  for (const key of made.refused) expect((await onServer.verify({ authorization: `Bearer ${key}` })).ok).toBe(false);
  const today = new Date().toISOString().slice(0, 10);
  // 3 verifies of the source plus the one just made here.
  await onServer.flush();
  expect((await onServer.usage({ keyId: made.liveId, from: today, to: today })).total).toBe(4);
  expect((await onServer.auditLog({ workspaceId: 'ws_b', limit: 100 })).items.map((e) => e.type)).toEqual(expect.arrayContaining(['key.revoked']));

  // Again: nothing doubles.
  const count = async () => (await server.pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${server.tables.keys}`)).rows[0]!.n;
  const second = await keyward(['import', ...serverArgs, '--file', file, '--json']);
  expect(second.code).toBe(0);
  expect(JSON.parse(second.stdout)).toMatchObject({ imported: { key: 0, usage: 0, audit: 0, counter: 0 }, present: { key: 6, usage: 1 } });
  expect(await count()).toBe('6');

  // A file that disagrees with the store writes nothing, not even its new records.
  const tampered = exported.stdout
    .split('\n')
    .map((l) => (l.includes(`"id":"${made.liveId}"`) && l.startsWith('{"type":"key"') ? l.replace('"name":"live"', '"name":"changed"') : l))
    .join('\n');
  const extra = JSON.parse(exported.stdout.split('\n').find((l) => l.startsWith('{"type":"key"') && !l.includes(made.liveId))!) as {
    key: Record<string, unknown>;
  };
  const withExtra = tampered.replace(
    '{"type":"end","counts":{"key":6',
    `${JSON.stringify({ type: 'key', key: { ...extra.key, id: 'key_extra', hash: 'f'.repeat(64) } })}\n{"type":"end","counts":{"key":7`,
  );
  writeFileSync(join(work, 'tampered.jsonl'), withExtra);
  const refused = await keyward(['import', ...serverArgs, '--file', join(work, 'tampered.jsonl')]);
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain(`key ${made.liveId}: the store holds a key with this id and other content`);
  expect(await count()).toBe('6');
  // A cut file is refused before anything is opened.
  writeFileSync(join(work, 'cut.jsonl'), exported.stdout.split('\n').slice(0, 3).join('\n'));
  const cut = await keyward(['import', ...serverArgs, '--file', join(work, 'cut.jsonl')]);
  expect(cut.code).toBe(2);
  expect(cut.stderr).toContain('cut short');

  // And back: from the server into a new embedded store.
  const back = await keyward(['export', ...serverArgs]);
  expect(back.code).toBe(0);
  writeFileSync(join(work, 'back.jsonl'), back.stdout);
  const imported = await keyward(['import', '--store', `embedded:${target}`, '--file', join(work, 'back.jsonl')]);
  expect(imported.code).toBe(0);
  expect(imported.stdout).toContain('Imported 6 keys');
  store = await embeddedStore({ dir: target });
  try {
    const onTarget = createKeyward({ store, format: formats, cache: false });
    for (const key of made.valid) expect((await onTarget.verify({ authorization: `Bearer ${key}` })).ok).toBe(true);
    for (const key of made.refused) expect((await onTarget.verify({ authorization: `Bearer ${key}` })).ok).toBe(false);
    expect(readFileSync(join(target, 'keyward.lock'), 'utf8')).toContain(String(process.pid));
  } finally {
    await store.close();
  }
});

it('tells which process holds an embedded store it cannot open', { timeout: 60_000 }, async () => {
  const dir = await freshDir('transfer-held');
  const store = await embeddedStore({ dir });
  try {
    const ran = await keyward(['export', '--store', `embedded:${dir}`]);
    expect(ran.code).toBe(4);
    expect(ran.stderr).toContain(`in use by process ${process.pid}`);
  } finally {
    await store.close();
  }
});
