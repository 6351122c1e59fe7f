// Tipar's authentication page (seed 003), statement by statement, over real HTTP against the real
// Next.js production build (scripts/build.mjs), served in this process by src/server.ts; the
// dashboard is @keyward/dashboard under app/keyward, reached through the demo sign-in.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { KeyStore } from '@keyward/core';
import { checkManagementFlow, signIn } from '@keyward/example-support/testing';
import { memoryStore } from '@keyward/store-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTipar, type Tipar } from '../src/server.js';

// Per workspace: Acme's is shared by every test that uses its keys.
const QUOTA = 50;
let tipar: Tipar;
const reads = { count: 0 };

/** The memory store, counting its lookups: "Tipar checks the key's prefix before any database lookup". */
function countingStore(): KeyStore {
  const store = memoryStore();
  return Object.assign(Object.create(store) as KeyStore, {
    findById: (id: string) => {
      reads.count++;
      return store.findById(id);
    },
    findByHash: (hash: string) => {
      reads.count++;
      return store.findByHash(hash);
    },
  });
}

beforeAll(async () => {
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url))], { stdio: 'inherit' });
  tipar = await startTipar({ store: countingStore(), quota: QUOTA });
}, 240_000);
afterAll(() => tipar?.close());

const generate = (authorization?: string, body: unknown = { title: 'Invoice 42', lines: ['1 × widget'] }) =>
  fetch(`${tipar.origin}/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) },
    body: JSON.stringify(body),
  });
const quotaLeft = async (key: string) => {
  const check = await tipar.keyward.verify({ authorization: `Bearer ${key}` }, { dryRun: true });
  const header = check.ok ? check.headers.ratelimit : check.error.headers?.ratelimit;
  return Number(/r=(\d+)/.exec(header ?? '')?.[1]);
};

describe('Tipar: "Every call to POST /generate is authenticated with an API key, sent as a bearer token"', () => {
  it('"A key looks like tipar_live_aB3dE... — the tipar_live_ prefix followed by 32 random characters"; a valid key gets a PDF', async () => {
    expect(tipar.keys.workspace_a).toMatch(/^tipar_live_[A-Za-z0-9]{32}$/);
    const res = await generate(`Bearer ${tipar.keys.workspace_a}`);
    expect([res.status, res.headers.get('content-type')]).toEqual([200, 'application/pdf']);
    const pdf = Buffer.from(await res.arrayBuffer()).toString('latin1');
    expect(pdf.startsWith('%PDF-1.4')).toBe(true);
    expect(pdf.trimEnd().endsWith('%%EOF')).toBe(true);
    expect(pdf).toContain('(Invoice 42)');
    // The cross-reference table points at each object.
    const xref = Number(/startxref\n(\d+)/.exec(pdf)![1]);
    expect(pdf.slice(xref, xref + 4)).toBe('xref');
  });

  it('"The name and a four-character suffix (e.g. …aB3d) are kept so you can recognise a key"; "Tipar stores a SHA-256 hash, never the key itself"', async () => {
    const { record } = await tipar.keyward.create({ workspaceId: 'ws_acme', name: 'prod-billing-worker-2' });
    expect(record.hint).toHaveLength(4);
    expect(JSON.stringify(record)).not.toMatch(/tipar_live_[A-Za-z0-9]{32}/);
  });
});

describe('Tipar: the dashboard (@keyward/dashboard, a Next.js catch-all route)', () => {
  const status = async (key: string) => (await generate(`Bearer ${key}`)).status;

  it('admin creates → the key works → rename → rotate → revoke → 401; a member is refused; another workspace is a 404', async () => {
    await checkManagementFlow({ origin: tipar.origin, workspace: 'ws_acme', otherWorkspace: 'ws_globex', product: status });
  });

  it('"The name and a four-character suffix (e.g. …aB3d) are kept so you can recognise a key in the dashboard"', async () => {
    const admin = await signIn(tipar.origin, 'admin');
    const created = await admin.call('POST', '/workspaces/ws_acme/keys', { name: 'prod-billing-worker-3' });
    expect(created.status).toBe(201);
    expect(created.json.key).toMatch(/^tipar_live_[A-Za-z0-9]{32}$/);
    const listed = await admin.call('GET', '/workspaces/ws_acme/keys');
    const shown = listed.json.items.find((k: { id: string }) => k.id === created.json.record.id);
    expect(shown).toMatchObject({
      name: 'prod-billing-worker-3',
      hint: created.json.key.slice(-4),
      display: `tipar_live_…${created.json.key.slice(-4)}`,
    });
    expect(listed.text).not.toMatch(/tipar_live_[A-Za-z0-9]{32}/);
    // The page's route is reserved, and the document of the API is served.
    expect((await fetch(`${tipar.origin}/keyward/api/openapi.json`)).status).toBe(200);
  });
});

describe('Tipar: "When authentication fails"', () => {
  const cases: [string, string | undefined][] = [
    ['No Authorization header', undefined],
    ["Header isn't Bearer <key>", 'Basic dGlwYXI6a2V5'],
    ["Key doesn't exist", `Bearer tipar_live_${'x'.repeat(32)}`],
  ];
  for (const [situation, authorization] of cases) {
    it(`"${situation}" → 401 with WWW-Authenticate: Bearer and a Problem Details body`, async () => {
      const res = await generate(authorization);
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(await res.json()).toMatchObject({
        status: 401,
        title: 'Unauthorized',
        type: expect.stringMatching(/^https:\/\/docs\.tipar\.dev\/errors\//),
      });
    });
  }

  it('"Key … was revoked" → 401', async () => {
    expect((await generate(`Bearer ${tipar.keys.revoked}`)).status).toBe(401);
  });

  it('"Valid key, but monthly quota reached" → 402 Payment Required', async () => {
    const res = await generate(`Bearer ${tipar.keys.quota_exhausted}`);
    expect(res.status).toBe(402);
    expect(await res.json()).toMatchObject({ status: 402, title: 'Payment Required', code: 'quota_exceeded' });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('"The request never reaches the renderer, so no quota or rate limit is consumed"', async () => {
    // A workspace of its own: the quota is the workspace's.
    const { key } = await tipar.keyward.create({ workspaceId: 'ws_fresh', name: 'fresh' });
    expect(await quotaLeft(key)).toBe(QUOTA - 1);
    for (const bad of [undefined, `Bearer ${key}x`, `Bearer ${key.slice(0, -1)}`, `Token ${key}`]) expect((await generate(bad)).status).toBe(401);
    expect(await quotaLeft(key)).toBe(QUOTA - 1);
    expect((await generate(`Bearer ${key}`)).status).toBe(200);
    expect(await quotaLeft(key)).toBe(QUOTA - 2);
    expect((await tipar.keyward.verify({ authorization: `Bearer ${key}` }, { cost: QUOTA - 1 })).ok).toBe(true);
    expect((await generate(`Bearer ${key}`)).status).toBe(402);
  });

  it("the monthly quota is the workspace's: minting another key, or rotating, gives no fresh quota; another workspace keeps its own", async () => {
    const first = await tipar.keyward.create({ workspaceId: 'ws_minted', name: 'first' });
    expect((await tipar.keyward.verify({ authorization: `Bearer ${first.key}` }, { cost: QUOTA - 1 })).ok).toBe(true);
    const second = await tipar.keyward.create({ workspaceId: 'ws_minted', name: 'second' });
    expect(await quotaLeft(second.key)).toBe(0);
    expect((await generate(`Bearer ${second.key}`)).status).toBe(200);
    expect((await generate(`Bearer ${second.key}`)).status).toBe(402);
    const rotated = await tipar.keyward.rotate(first.record.id, { gracePeriod: '1h' });
    expect((await generate(`Bearer ${rotated.key}`)).status).toBe(402);
    expect((await generate(`Bearer ${first.key}`)).status).toBe(402);
    const elsewhere = await tipar.keyward.create({ workspaceId: 'ws_elsewhere', name: 'other' });
    expect((await generate(`Bearer ${elsewhere.key}`)).status).toBe(200);
  });

  it('"Tipar checks the key\'s prefix before any database lookup, so malformed tokens are rejected cheaply"', async () => {
    // Refusals of known keys (revoked, quota reached) are in the audit log; writing them reads no key.
    expect((await generate(`Bearer ${tipar.keys.revoked}`)).status).toBe(401);
    expect((await generate(`Bearer ${tipar.keys.quota_exhausted}`)).status).toBe(402);
    const before = reads.count;
    await tipar.keyward.flush();
    for (const token of [
      `tipar_test_${'a'.repeat(32)}`,
      `tiparlive_${'a'.repeat(32)}`,
      `sk_live_${'a'.repeat(32)}`,
      'tipar_live_short',
      `tipar_live_${'a'.repeat(31)}!`,
    ]) {
      expect((await generate(`Bearer ${token}`)).status).toBe(401);
    }
    expect(reads.count).toBe(before);
    await generate(`Bearer tipar_live_${'b'.repeat(32)}`);
    expect(reads.count).toBe(before + 1);
  });
});

describe('Tipar: the audit log', () => {
  it('shows who revoked a key, and the refused use of it after, with its hint and never the key', async () => {
    const { key, record } = await tipar.keyward.create({ workspaceId: 'ws_acme', name: 'audited', actor: 'user_priya' });
    await tipar.keyward.revoke(record.id, { actor: 'user_priya' });
    expect((await generate(`Bearer ${key}`)).status).toBe(401);
    const admin = await signIn(tipar.origin, 'admin');
    const res = await fetch(`${tipar.origin}/keyward/api/workspaces/ws_acme/audit?keyId=${record.id}`, { headers: { cookie: admin.cookie } });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).not.toContain(key);
    const events = (JSON.parse(text) as { items: { type: string; keyHint: string | null }[] }).items;
    expect(events.map((e) => e.type)).toEqual(['verify.revoked_key', 'key.revoked', 'key.created']);
    expect(events.every((e) => e.keyHint === key.slice(-4))).toBe(true);
  });
});

describe('Tipar: "Revoking and rotating"', () => {
  it('"Revocation takes effect within seconds across the service; the next request with that key gets 401"', async () => {
    const { key, record } = await tipar.keyward.create({ workspaceId: 'ws_acme', name: 'to revoke' });
    expect((await generate(`Bearer ${key}`)).status).toBe(200);
    await tipar.keyward.revoke(record.id);
    expect((await generate(`Bearer ${key}`)).status).toBe(401);
  });

  it('"Mint a new key and deploy it alongside the old one … There\'s no limit on how many keys you can hold"', async () => {
    const keys = await Promise.all(Array.from({ length: 20 }, (_, i) => tipar.keyward.create({ workspaceId: 'ws_globex', name: `service ${i}` })));
    const statuses = await Promise.all(keys.slice(0, 3).map(({ key }) => generate(`Bearer ${key}`).then((r) => r.status)));
    expect(statuses).toEqual([200, 200, 200]);
  });
});
