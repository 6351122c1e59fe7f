// Runs the keyward command as operators do: a real child process (Node with the TypeScript
// sources), against the real PostgreSQL and Redis of the test run.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
const root = fileURLToPath(new URL('../../..', import.meta.url));

export interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** `keyward …args` with `env` (KEYWARD_STORE_URL is not inherited unless given). */
export function keyward(args: string[], env: Record<string, string> = {}): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=@keyward/source', '--import', 'tsx', bin, ...args],
      { cwd: root, env: { ...process.env, KEYWARD_STORE_URL: '', ...env }, timeout: 30_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

/** A fixture module of test/fixtures, by file name. */
export const fixture = (name: string): string => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
