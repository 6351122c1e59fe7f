// The start test of every example: run `src/main.ts` as `pnpm --filter … start` would, on a given
// store, wait for its banner, and read the demo keys it wrote to DEMO_KEYS_FILE.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

export interface StartedExample {
  keys: Record<string, string>;
  output: string;
  /** `http://127.0.0.1:<port>` */
  origin: string;
  stop(): Promise<void>;
}

/** Starts an example's main module with `env` (DATABASE_URL / REDIS_URL are not inherited). */
export async function startExample(main: string, env: Record<string, string>): Promise<StartedExample> {
  const dir = mkdtempSync(join(tmpdir(), 'keyward-example-'));
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
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 60_000; // a first start on the embedded store creates its database
  while (!output.includes('Try:')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`${main} did not start (exit ${child.exitCode}):\n${output.slice(-1000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { keys: JSON.parse(readFileSync(keysFile, 'utf8')) as Record<string, string>, output, origin: `http://127.0.0.1:${port}`, stop };
}

/**
 * Starts an example on the embedded store in `dataDir`, as often as the test restarts it: the same
 * directory each time, so its keys are the ones of the previous run.
 */
export function embeddedEnv(dataDir: string): Record<string, string> {
  return { KEYWARD_DATA_DIR: dataDir };
}

/** The two stores every example's start test runs on, with fresh prefixes. */
export function startEnvs(inject: (name: 'databaseUrl' | 'redisUrl') => string): [string, () => Record<string, string>][] {
  const tag = () => `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
  return [
    ['PostgreSQL', () => ({ DATABASE_URL: inject('databaseUrl'), KEYWARD_TABLE_PREFIX: `ex_${tag()}_` })],
    ['Redis', () => ({ REDIS_URL: inject('redisUrl'), KEYWARD_REDIS_PREFIX: `ex:${tag()}:` })],
  ];
}

/** The banner names the management API and a demo sign-in link for each of `signIns`. */
export function expectDashboardBanner(app: StartedExample, signIns: readonly string[] = ['admin', 'member']): void {
  expect(app.output).toContain(`${app.origin}/keyward/api `);
  expect(app.output).toContain(`${app.origin}/keyward/api/openapi.json`);
  for (const as of signIns) expect(app.output).toContain(`${app.origin}/demo/sign-in?as=${as} `);
}

export {
  callDashboard,
  checkManagementFlow,
  expectUnavailable,
  signIn,
  type DashboardAnswer,
  type DashboardSession,
  type ManagementFlowOptions,
} from './management-flow.js';
