// `pnpm start` (scripts/start.mjs → scripts/demo.ts): every example starts, on the embedded store
// by default (in a temp KEYWARD_DATA_DIR here), the first curl line each one prints (a valid key on
// its main route) answers 200 over loopback, and each prints its management API and demo sign-in
// links, the admin one signing a browser in.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const start = fileURLToPath(new URL('../../../scripts/start.mjs', import.meta.url));

it('pnpm start runs every example and its printed curl lines work', { timeout: 300_000 }, async () => {
  const { DATABASE_URL: _d, REDIS_URL: _r, KEYWARD_STORE: _s, ...env } = process.env;
  const dataDir = mkdtempSync(join(tmpdir(), 'keyward-demo-'));
  const child = spawn(process.execPath, [start], {
    env: { ...env, DEMO_RANDOM_PORTS: '1', KEYWARD_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  try {
    const deadline = Date.now() + 280_000; // the Next.js example may need its build first
    while (!output.includes('All running.')) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`the demo did not start (exit ${child.exitCode}):\n${output.slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(output).toContain(`Keys are kept in ${dataDir}/<example>`);
    const sections = output.split('━━ examples/').slice(1);
    expect(sections.map((s) => s.slice(0, s.indexOf(' ')))).toEqual(
      expect.arrayContaining(['tiro-notes', 'tixallo-tickets', 'tipar-generate', 'tuco', 'tooken']),
    );
    for (const section of sections) {
      const curl = /curl -s (\S+) -H 'Authorization: Bearer ([^']+)'(.*)/.exec(section);
      expect(curl, section.slice(0, 80)).not.toBeNull();
      const post = / -d |-X POST/.test(curl![3]!);
      const res = await fetch(curl![1]!, {
        method: post ? 'POST' : 'GET',
        headers: { authorization: `Bearer ${curl![2]}`, 'content-type': 'application/json' },
        body: post ? '{}' : undefined,
      });
      expect({ example: section.slice(0, 20), status: res.status }).toEqual({ example: section.slice(0, 20), status: 200 });
      const name = section.slice(0, section.indexOf(' '));
      expect(section).toContain(`embedded PostgreSQL in ${join(dataDir, name)}`);
      expect(existsSync(join(dataDir, name, 'pgdata', 'PG_VERSION'))).toBe(true);
      const api = /management API\s+(http:\/\/\S+\/keyward\/api) /.exec(section);
      const admin = /sign in: admin\s+(http:\/\/\S+\/demo\/sign-in\?as=admin) /.exec(section);
      expect({ example: section.slice(0, 20), api: api !== null, admin: admin !== null }).toEqual({
        example: section.slice(0, 20),
        api: true,
        admin: true,
      });
      expect(section).toMatch(/sign in: member\s+http:\/\/\S+\/demo\/sign-in\?as=member /);
      const signedIn = await fetch(admin![1]!, { redirect: 'manual' });
      const cookie = signedIn.headers.getSetCookie()[0]?.split(';')[0] ?? '';
      const me = await fetch(`${api![1]}/me`, { headers: { cookie } });
      expect({ example: section.slice(0, 20), status: me.status }).toEqual({ example: section.slice(0, 20), status: 200 });
    }
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await new Promise((r) => child.once('exit', r));
    // The examples close their stores on SIGTERM; give them the moment the demo gives them.
    await new Promise((r) => setTimeout(r, 1000));
    rmSync(dataDir, { recursive: true, force: true });
  }
});
