// On the embedded store (the default of `pnpm start`), a key created through the dashboard survives
// a restart: start Tixallo, sign in as its admin and create a key through the management API, stop
// it, start it again on the same data directory, and use the key.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { embeddedEnv, signIn, startExample } from '@keyward/example-support/testing';
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
    const admin = await signIn(first.origin, 'admin');
    const res = await admin.call('POST', '/workspaces/ws_acme/keys', { name: 'ci' });
    expect(res.status).toBe(201);
    created = { id: res.json.record.id, key: res.json.key };
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
    const admin = await signIn(second.origin, 'admin');
    const listed = await admin.call('GET', '/workspaces/ws_acme/keys');
    expect(listed.status).toBe(200);
    expect((listed.json.items as { id: string }[]).map((k) => k.id)).toContain(created.id);
  } finally {
    await second.stop();
  }
});
