import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A fixture run as its own Node process (on the TypeScript sources), with its stdout lines. */
export function runFixture(name: string, args: string[]): { child: ChildProcess; lines: string[]; exited: Promise<void> } {
  const file = fileURLToPath(new URL(`./fixtures/${name}.ts`, import.meta.url));
  const child = spawn(process.execPath, ['--conditions=@keyward/source', '--import', 'tsx', file, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  let partial = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const parts = (partial + chunk.toString()).split('\n');
    partial = parts.pop()!;
    lines.push(...parts);
  });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  Object.defineProperty(lines, 'stderr', { get: () => stderr });
  return { child, lines, exited };
}

export async function waitForLines(run: ReturnType<typeof runFixture>, count: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (run.lines.length < count) {
    if (run.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(
        `the child printed ${run.lines.length} of ${count} lines (exit ${run.child.exitCode}): ${(run.lines as unknown as { stderr: string }).stderr.slice(-2000)}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
