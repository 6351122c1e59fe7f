import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const app = join(pkg, 'test-app');
const nextBin = createRequire(join(pkg, 'package.json')).resolve('next/dist/bin/next');

/** What the fixture app reads from `KEYWARD_FIXTURE` (see test-app/lib/engines.ts). */
export interface Fixture {
  now: number;
  prefix: string;
  downStoreTimeout: number;
  /** `memoryStore().dump()`: hashes and metadata, no plaintext key. */
  keys: string;
  mode: 'node' | 'edge';
}

/** Builds the fixture app unless its build is up to date (one build at a time, under `flock`). */
export function buildApp(): void {
  execFileSync('flock', [join(app, '.build.lock'), process.execPath, join(pkg, 'test/build-app.mjs')], { stdio: ['ignore', 'inherit', 'inherit'] });
}

/**
 * Starts the built app on a random loopback port with the given keys and settings: with
 * `next start`, or with the custom server of test-app/server.mjs (`joinDuplicateHeaders`).
 */
export async function startApp(
  fixture: Fixture,
  server: 'next start' | 'custom' = 'next start',
  /** Pin the server to these CPUs (`taskset -c`), for benchmarks. */
  cpus?: string,
): Promise<{ port: number; close(): Promise<void> }> {
  const args = server === 'custom' ? [join(app, 'server.mjs')] : [nextBin, 'start', '--hostname', '127.0.0.1', '--port', '0'];
  const [command, ...rest] = cpus === undefined ? [process.execPath, ...args] : ['taskset', '-c', cpus, process.execPath, ...args];
  const child = spawn(command!, rest, {
    cwd: app,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', KEYWARD_FIXTURE: JSON.stringify(fixture) },
  });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`next start did not get ready in 30 s:\n${output}`)), 30_000);
    const read = (chunk: Buffer) => {
      output += chunk;
      const local = /(?:Local:\s+|Ready on )http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (local && /Ready/.test(output)) {
        clearTimeout(timer);
        resolve(Number(local[1]));
      }
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`next start exited with ${code}:\n${output}`));
    });
  });
  return {
    port,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    },
  };
}
