import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Keyward } from '@keyward/core';

const loop = fileURLToPath(new URL('./verify-loop.ts', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));

/** A child process running `file` from source (tsx), with the engine module and key it tests. */
function spawnEngineChild(file: string, options: { engineModule: string; key: string; env?: Record<string, string> }, env: Record<string, string>) {
  return spawn(process.execPath, ['--conditions=@keyward/source', '--import', 'tsx', file], {
    cwd: root,
    env: { ...process.env, ...options.env, KEYWARD_ENGINE_MODULE: options.engineModule, KEYWARD_TEST_KEY: options.key, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** What {@link measureRevocation} saw. */
export interface Revocation {
  /** Milliseconds from the call of `revoke` to the other process refusing the key. */
  readonly ms: number;
  /** Milliseconds `revoke` itself took (the store write and the publish). */
  readonly revokeMs: number;
  /** The error code the other process got (`revoked_key`, …). */
  readonly code: string;
}

/**
 * Starts another OS process that verifies `key` in a loop through the engine of `engineModule`
 * (a module exporting `createEngine(): Promise<Keyward>`), waits until the key passes there, runs
 * `revoke`, and measures how long the other process goes on accepting the key.
 *
 * The time counts from the *call* of `revoke` (the stricter choice), to the moment the other process
 * got a refusal that is not a store failure.
 *
 * @throws when the other process does not pass the key within `timeoutMs`, or does not refuse it
 * within `refuseTimeoutMs` of the revoke (default `timeoutMs`).
 */
export async function measureRevocation(options: {
  engineModule: string;
  key: string;
  revoke: () => Promise<void>;
  env?: Record<string, string>;
  timeoutMs?: number;
  refuseTimeoutMs?: number;
}): Promise<Revocation> {
  const timeoutMs = options.timeoutMs ?? 20_000;
  const refuseTimeoutMs = options.refuseTimeoutMs ?? timeoutMs;
  const child = spawnEngineChild(loop, options, { KEYWARD_LOOP_MS: String(timeoutMs + refuseTimeoutMs) });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const lines = createInterface({ input: child.stdout });
  const events: { event: string; at?: number; code?: string }[] = [];
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
  void exited.then(() => wake?.());
  const waitFor = async (name: string, withinMs: number): Promise<{ event: string; at?: number; code?: string }> => {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const found = events.find((e) => e.event === name);
      if (found) return found;
      if (child.exitCode !== null || Date.now() > deadline) {
        const seen = events.map((e) => e.event).join(', ') || 'nothing';
        throw new Error(
          `the verifying process did not report "${name}" within ${withinMs} ms (exit ${child.exitCode}; saw: ${seen}); stderr:\n${stderr.slice(-2000)}`,
        );
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, 20);
      });
    }
  };
  try {
    await waitFor('ok', timeoutMs);
    const start = Date.now();
    await options.revoke();
    const revokeMs = Date.now() - start;
    const refused = await waitFor('refused', refuseTimeoutMs);
    return { ms: Math.max(0, (refused.at ?? Date.now()) - start), revokeMs, code: refused.code ?? '' };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    await exited;
  }
}

/**
 * The two tests every store with an invalidation bus runs: a key revoked through `keyward` (this
 * process, cache on) is refused by another process (`engineModule`, cache on, same store and bus)
 * within 1 second — and, as the control, is still served by it after 2 s when that process has no
 * bus (`KEYWARD_BUS=none`), which shows that the bus is what does it.
 */
export function describeRevocationPropagation(options: {
  label: string;
  keyward: () => Keyward;
  engineModule: string;
  env: () => Record<string, string>;
}): void {
  const revoke = (id: string) => () =>
    options
      .keyward()
      .revoke(id)
      .then(() => undefined);
  describe(`revocation across two processes on ${options.label}`, () => {
    it('is refused by the other process within 1 second of revoke', { timeout: 60_000 }, async () => {
      const times: number[] = [];
      for (let i = 0; i < 3; i++) {
        const { key, record } = await options.keyward().create({ workspaceId: 'ws_prop', name: `propagation ${i}` });
        const seen = await measureRevocation({ engineModule: options.engineModule, key, env: options.env(), revoke: revoke(record.id) });
        expect(seen.code).toMatch(/^(invalid_key|revoked_key)$/);
        times.push(seen.ms);
      }
      console.log(`${options.label}: revoke → refused in the other process: ${times.join(' ms, ')} ms`);
      for (const ms of times) expect(ms).toBeLessThan(1000);
    });

    it('without the bus, the other process keeps serving the revoked key from its cache (the bus is what works)', { timeout: 60_000 }, async () => {
      const { key, record } = await options.keyward().create({ workspaceId: 'ws_prop', name: 'no bus' });
      await expect(
        measureRevocation({
          engineModule: options.engineModule,
          key,
          env: { ...options.env(), KEYWARD_BUS: 'none' },
          refuseTimeoutMs: 2000,
          revoke: revoke(record.id),
        }),
      ).rejects.toThrow(/did not report "refused"/);
    });
  });
}

/**
 * Runs `processes` OS processes, each verifying `key` `perProcess` times at the same instant
 * through its own engine (`engineModule`, configured by `env`), and returns what each saw.
 */
export async function raceAcrossProcesses(options: {
  engineModule: string;
  key: string;
  env: Record<string, string>;
  processes?: number;
  perProcess?: number;
}): Promise<{ admitted: number; codes: Record<string, number> }[]> {
  const child = fileURLToPath(new URL('./race-child.ts', import.meta.url));
  const startAt = Date.now() + 3000;
  const runs = Array.from(
    { length: options.processes ?? 2 },
    () =>
      new Promise<{ admitted: number; codes: Record<string, number> }>((resolve, reject) => {
        const proc = spawnEngineChild(child, options, { KEYWARD_START_AT: String(startAt), KEYWARD_REQUESTS: String(options.perProcess ?? 25) });
        let out = '';
        let err = '';
        proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
        proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
        const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
        proc.on('exit', (code) => {
          clearTimeout(timer);
          const line = out.split('\n').find((l) => l.startsWith('{'));
          if (code === 0 && line) resolve(JSON.parse(line));
          else reject(new Error(`race child exited ${code}: ${err.slice(-1500)}`));
        });
      }),
  );
  return Promise.all(runs);
}
