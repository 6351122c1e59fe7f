import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const loop = fileURLToPath(new URL('./verify-loop.ts', import.meta.url));
const root = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Starts another process that verifies `key` in a loop through the engine of `engineModule`,
 * waits until it passes there, runs `revoke`, and returns the milliseconds from `revoke` returning
 * to the other process refusing the key (0 when it refused before `revoke` returned).
 */
export async function measureRevocation(options: {
  engineModule: string;
  key: string;
  revoke: () => Promise<void>;
  env?: Record<string, string>;
  timeoutMs?: number;
}): Promise<number> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const child = spawn(process.execPath, ['--conditions=@keyward/source', '--import', 'tsx', loop], {
    cwd: root,
    env: { ...process.env, ...options.env, KEYWARD_ENGINE_MODULE: options.engineModule, KEYWARD_TEST_KEY: options.key, KEYWARD_LOOP_MS: String(timeoutMs) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout });
  const events: { event: string; at?: number }[] = [];
  let wake: (() => void) | null = null;
  lines.on('line', (line) => {
    try {
      events.push(JSON.parse(line) as { event: string; at?: number });
    } catch {
      return;
    }
    wake?.();
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  exited.then(() => wake?.());
  const waitFor = async (name: string): Promise<{ event: string; at?: number }> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = events.find((e) => e.event === name);
      if (found) return found;
      if (child.exitCode !== null || Date.now() > deadline) {
        throw new Error(`the verifying process did not report "${name}" (exit ${child.exitCode}); stderr:\n${stderr.slice(-2000)}`);
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 100);
      });
    }
  };
  try {
    await waitFor('ok');
    await options.revoke();
    const revokedAt = Date.now();
    const refused = await waitFor('refused');
    return Math.max(0, (refused.at ?? revokedAt) - revokedAt);
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  }
}
