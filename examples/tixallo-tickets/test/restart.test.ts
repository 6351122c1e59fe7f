// On the embedded store (the default of `pnpm start`), a key created through the app survives a
// restart: start Tixallo, create a key through its app API, stop it, start it again on the same
// data directory, and use the key.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { embeddedEnv, startExample } from '@keyward/example-support/testing';
import { afterAll, expect, it } from 'vitest';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'keyward-tixallo-restart-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const tickets = (origin: string, key: string) => fetch(`${origin}/api/v1/tickets`, { headers: { authorization: `Bearer ${key}` } });

it('keeps a key created through the API across a restart of the app', { timeout: 120_000 }, async () => {
  const first = await startExample(main, embeddedEnv(dataDir));
  let created: { id: string; key: string };
  let revoked: string;
  try {
    expect(first.output).toContain(`embedded PostgreSQL in ${dataDir}`);
    const session = /X-Tixallo-Session: (\S+)'/.exec(first.output)![1]!;
    const res = await fetch(`${first.origin}/app/keys?name=ci`, { method: 'POST', headers: { 'x-tixallo-session': session } });
    expect(res.status).toBe(201);
    created = (await res.json()) as { id: string; key: string };
    expect((await tickets(first.origin, created.key)).status).toBe(200);
    revoked = first.keys.revoked!;
  } finally {
    await first.stop();
  }

  const second = await startExample(main, embeddedEnv(dataDir));
  try {
    const res = await tickets(second.origin, created.key);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { data: unknown[] }).data.length).toBeGreaterThan(0);
    // The demo keys of the first run too, and a revoked one stays revoked.
    expect((await tickets(second.origin, first.keys.workspace_a!)).status).toBe(200);
    expect((await tickets(second.origin, revoked)).status).toBe(401);
    // The new run's app lists the key made in the first one.
    const session = /X-Tixallo-Session: (\S+)'/.exec(second.output)![1]!;
    const listed = (await (await fetch(`${second.origin}/app/keys`, { headers: { 'x-tixallo-session': session } })).json()) as {
      data: { id: string }[];
    };
    expect(listed.data.map((k) => k.id)).toContain(created.id);
  } finally {
    await second.stop();
  }
});
