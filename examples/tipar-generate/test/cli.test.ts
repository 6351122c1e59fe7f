// An operator rotates a Tipar key with the `keyward` command (another OS process) while Tipar runs
// on PostgreSQL: with Tipar's configuration (src/keyward.config.ts) the new key is Tipar's own
// (`tipar_live_` + 32 characters, no checksum) and gets PDFs; the old one is refused within a
// second (the command publishes on Tipar's channel). Without it, the command changes nothing.
import { execFile, execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ExampleStore, storeFromEnv } from '@keyward/example-support';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startTipar, type Tipar } from '../src/server.js';

const cliBin = join(dirname(createRequire(import.meta.url).resolve('@keyward/cli/package.json')), 'src/bin.ts');
const config = fileURLToPath(new URL('../src/keyward.config.ts', import.meta.url));
const tag = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
const tablePrefix = `tipar_${tag}_`;
const channel = `tipar_${tag}_invalidation`;

function keyward(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=@keyward/source', '--import', 'tsx', cliBin, '--table-prefix', tablePrefix, '--channel', channel, ...args],
      { env: { ...process.env, KEYWARD_STORE_URL: inject('databaseUrl') }, timeout: 30_000 },
      (error, stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

let tipar: Tipar;
let postgres: ExampleStore;
beforeAll(async () => {
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url))], { stdio: 'inherit' });
  // Tables `tipar_<tag>_…`, channel `tipar_<tag>_invalidation`: as the command is told below.
  postgres = await storeFromEnv(`tipar_${tag}`, { NODE_ENV: 'test', DATABASE_URL: inject('databaseUrl') });
  tipar = await startTipar({ store: postgres.store, invalidation: postgres.invalidation, quota: 100 });
  await tipar.keyward.ready();
}, 240_000);
afterAll(async () => {
  await tipar?.close();
  await postgres?.close();
});

const generate = (key: string) =>
  fetch(`${tipar.origin}/generate`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: '{"title":"x"}',
  });

describe('Tipar: keys rotated with the keyward command', () => {
  it('without --config, nothing changes: the command refuses (exit 2) and the key keeps working', { timeout: 60_000 }, async () => {
    const { key, record } = await tipar.keyward.create({ workspaceId: 'ws_acme', name: 'not rotated' });
    const refused = await keyward(['keys', 'rotate', record.id]);
    expect([refused.code, refused.stdout]).toEqual([2, '']);
    expect((await generate(key)).status).toBe(200);
  });

  it('with Tipar’s config, the new key is Tipar’s and gets a PDF; the old key is refused within a second', { timeout: 60_000 }, async () => {
    const { key, record } = await tipar.keyward.create({ workspaceId: 'ws_acme', name: 'rotated by ops' });
    expect((await generate(key)).status).toBe(200); // now in the app's cache
    const rotated = await keyward(['--config', config, 'keys', 'rotate', record.id, '--json']);
    expect(rotated.code, rotated.stderr).toBe(0);
    const fresh = (JSON.parse(rotated.stdout) as { key: string }).key;
    expect(fresh).toMatch(/^tipar_live_[A-Za-z0-9]{32}$/);
    const pdf = await generate(fresh);
    expect([pdf.status, pdf.headers.get('content-type')]).toEqual([200, 'application/pdf']);
    const deadline = Date.now() + 1000;
    let status = (await generate(key)).status;
    while (status !== 401 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
      status = (await generate(key)).status;
    }
    expect(status).toBe(401);
  });
});
