// `pnpm --filter @keyward/example-tooken start` on PostgreSQL and on Redis: the process starts,
// writes its demo keys to DEMO_KEYS_FILE, and serves them over HTTP.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

async function startTooken(env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), 'tooken-'));
  const keysFile = join(dir, 'keys.json');
  const port = await freePort();
  const { DATABASE_URL: _d, REDIS_URL: _r, ...rest } = process.env;
  const child = spawn(process.execPath, ['--conditions=@keyward/source', '--import', 'tsx', main], {
    env: { ...rest, ...env, PORT: String(port), DEMO_KEYS_FILE: keysFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 30_000;
  while (!output.includes('Try:')) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`tooken did not start (exit ${child.exitCode})`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const keys = JSON.parse(readFileSync(keysFile, 'utf8')) as Record<string, string>;
  return {
    keys,
    output,
    base: `http://127.0.0.1:${port}/v1`,
    async stop() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe('tooken start', () => {
  const runs = [
    ['PostgreSQL', () => ({ DATABASE_URL: inject('databaseUrl'), KEYWARD_TABLE_PREFIX: `tooken_${Date.now().toString(36)}_` })],
    ['Redis', () => ({ REDIS_URL: inject('redisUrl'), KEYWARD_REDIS_PREFIX: `tooken:${Date.now().toString(36)}:` })],
  ] as const;
  for (const [name, env] of runs) {
    it(`serves the demo keys it prints, on ${name}`, { timeout: 60_000 }, async () => {
      const app = await startTooken(env());
      try {
        expect(app.output).toContain(name);
        expect(Object.keys(app.keys).sort()).toEqual(['expired', 'revoked', 'token_read_only', 'token_read_write', 'workspace_a', 'workspace_b']);
        const get = (key: string) => fetch(`${app.base}/tokens`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
        expect(await Promise.all([app.keys.workspace_a!, app.keys.token_read_only!, app.keys.revoked!, app.keys.expired!].map(get))).toEqual([200, 200, 401, 401]);
      } finally {
        await app.stop();
      }
    });
  }
});
