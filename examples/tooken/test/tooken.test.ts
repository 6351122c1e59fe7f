// Tooken's authentication page (seed 001), statement by statement, over real HTTP on loopback; the
// dashboard's Settings (API Keys, Audit Log) are @keyward/dashboard, reached through the demo sign-in.
import { checkManagementFlow, type DashboardSession, signIn } from '@keyward/example-support/testing';
import { memoryStore } from '@keyward/store-memory';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createManagementKey, createTookenApp, tookenKeyward } from '../src/app.js';
import { demoPeople, seedDemo, type DemoKeys } from '../src/demo.js';

let app: FastifyInstance;
let origin: string;
let base: string;
let keys: DemoKeys;
let admin: DashboardSession;
let clock = Date.now();
const keyward = tookenKeyward({ store: memoryStore(), now: () => clock });

beforeAll(async () => {
  keys = await seedDemo(keyward);
  app = await createTookenApp(keyward, demoPeople());
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  origin = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  base = `${origin}/v1`;
  admin = await signIn(origin, 'admin');
});
afterAll(async () => {
  await app.close();
  await keyward.close();
});

const call = async (method: string, path: string, key?: string, body?: unknown, authorization = key && `Bearer ${key}`) => {
  const headers: Record<string, string> = {};
  if (authorization) headers.authorization = authorization;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, json: text ? (JSON.parse(text) as Record<string, any>) : null };
};

const UNAUTHORIZED = { error: 'unauthorized', message: 'Invalid or missing API key' };

describe('Tooken: "Every request to the Tooken API must be authenticated"', () => {
  it('"Include your API key as a Bearer token in the Authorization header" — tok_live_ keys pass', async () => {
    expect(keys.workspace_a).toMatch(/^tok_live_[A-Za-z0-9]+$/);
    const res = await call('GET', '/tokens', keys.workspace_a);
    expect(res.status).toBe(200);
    expect(res.json!.data.map((t: { name: string }) => t.name).sort()).toEqual(['billing reader', 'old partner', 'provisioner']);
    // What is kept for display: never the key, never a hash.
    expect(res.text).not.toContain(keys.token_read_only);
    expect(Object.keys(res.json!.data[0]).sort()).toEqual([
      'created_at',
      'display',
      'expires_at',
      'id',
      'last_used_at',
      'name',
      'revoked',
      'scopes',
      'type',
    ]);
  });

  it('"If your API key is missing … the API returns a 401" with {"error":"unauthorized","message":"Invalid or missing API key"}', async () => {
    const res = await call('GET', '/tokens');
    expect(res.status).toBe(401);
    expect(res.json).toEqual(UNAUTHORIZED);
  });

  it('"malformed" keys, and "extra whitespace": exactly Bearer <key> with a single space', async () => {
    // (Whitespace at the ends of a header value is not part of it — RFC 9110 §5.5 — and never arrives.)
    for (const authorization of [
      `Bearer  ${keys.workspace_a}`,
      `Bearer\t${keys.workspace_a}`,
      `Bearer ${keys.workspace_a}\u00a0`,
      `Bearer ${keys.workspace_a.slice(0, -1)}x`,
      'Bearer tok_live_xxxxxxxxxxxxxxxxxxxx',
    ]) {
      const res = await call('GET', '/tokens', undefined, undefined, authorization);
      expect({ authorization: authorization.length, status: res.status, body: res.json }).toEqual({
        authorization: authorization.length,
        status: 401,
        body: UNAUTHORIZED,
      });
    }
  });

  it('"or has been revoked": a deleted API key gets the same 401', async () => {
    const res = await call('GET', '/tokens', keys.revoked);
    expect(res.status).toBe(401);
    expect(res.json).toEqual(UNAUTHORIZED);
  });
});

describe('Tooken: API keys vs. tokens', () => {
  it('"API keys … No — full workspace access": a management key issues tokens', async () => {
    const created = await call('POST', '/tokens', keys.workspace_a, { name: 'search service', scopes: ['tokens:read'] });
    expect(created.status).toBe(201);
    expect(created.json!.token).toMatch(/^tkn_live_/);
    expect(created.json!.scopes).toEqual(['tokens:read']);
    // The new token works at once, within its scope.
    expect((await call('GET', `/tokens/${created.json!.id}`, created.json!.token)).status).toBe(200);
  });

  it('"A 403 Forbidden response indicates your credentials are valid but the token lacks the required scope"', async () => {
    const res = await call('POST', '/tokens', keys.token_read_only, { name: 'x', scopes: ['tokens:read'] });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ error: 'forbidden', message: 'The credential lacks the required scope: tokens:write' });
  });

  it('"A token with tokens:read cannot create or revoke tokens even if your API key can"', async () => {
    const list = await call('GET', '/tokens', keys.token_read_only);
    expect(list.status).toBe(200);
    const victim = list.json!.data.find((t: { name: string }) => t.name === 'provisioner').id;
    expect((await call('DELETE', `/tokens/${victim}`, keys.token_read_only)).status).toBe(403);
    expect((await call('POST', '/tokens', keys.token_read_only, { name: 'x', scopes: ['tokens:read'] })).status).toBe(403);
    // … and the management key can.
    expect((await call('POST', '/tokens', keys.workspace_a, { name: 'x', scopes: ['tokens:read'] })).status).toBe(201);
    // Neither tokens nor API keys reach the dashboard's settings: they are for signed-in people.
    for (const key of [keys.token_read_write, keys.workspace_a]) {
      const settings = await fetch(`${origin}/keyward/api/workspaces/ws_acme/keys`, { headers: { authorization: `Bearer ${key}` } });
      expect(settings.status).toBe(401);
    }
  });

  it('"Scope tokens narrowly": a token can hand out only the scopes it holds', async () => {
    const res = await call('POST', '/tokens', keys.token_read_write, { name: 'escalate', scopes: ['audit:read'] });
    expect(res.status).toBe(403);
    const ok = await call('POST', '/tokens', keys.token_read_write, { name: 'narrower', scopes: ['tokens:read'] });
    expect(ok.status).toBe(201);
  });

  it('a token cannot take scopes it does not hold by rotating a token that holds them (issue 15 §1)', async () => {
    const auditor = await call('POST', '/tokens', keys.workspace_a, { name: 'auditor', scopes: ['audit:read'] });
    const res = await call('POST', `/tokens/${auditor.json!.id}/rotate`, keys.token_read_write);
    expect(res.status).toBe(403);
    expect(res.json!.error).toBe('forbidden');
    expect(res.text).not.toContain('tkn_live_');
    // The token was not rotated: it still works, and the audit log stays closed to the rotator.
    expect((await call('GET', '/audit-log', auditor.json!.token)).status).toBe(200);
    expect((await call('GET', '/audit-log', keys.token_read_write)).status).toBe(403);
    // Nor revoke it; a token within its own scopes it may rotate and revoke.
    expect((await call('DELETE', `/tokens/${auditor.json!.id}`, keys.token_read_write)).status).toBe(403);
    const mine = await call('POST', '/tokens', keys.token_read_write, { name: 'mine', scopes: ['tokens:read'] });
    expect((await call('POST', `/tokens/${mine.json!.id}/rotate`, keys.token_read_write)).status).toBe(201);
  });

  it('a token creates tokens that expire no later than itself (issue 15 §2)', async () => {
    const self = (await call('GET', '/tokens', keys.workspace_a)).json!.data.find((t: { name: string }) => t.name === 'provisioner');
    expect(self.expires_at).not.toBeNull();
    const child = await call('POST', '/tokens', keys.token_read_write, { name: 'child', scopes: ['tokens:read'] });
    expect([child.status, child.json!.expires_at]).toEqual([201, self.expires_at]);
    const later = new Date(Date.parse(self.expires_at) + 86_400_000).toISOString();
    const outliving = await call('POST', '/tokens', keys.token_read_write, { name: 'outliving', scopes: ['tokens:read'], expires_at: later });
    expect([outliving.status, outliving.json!.error]).toEqual([403, 'forbidden']);
    // A management key without an expiry still makes tokens without one.
    expect((await call('POST', '/tokens', keys.workspace_a, { name: 'free', scopes: ['tokens:read'] })).json!.expires_at).toBeNull();
  });

  it('"Set expiration dates": a token past its expires_at gets 401; "tokens without an expiration remain valid indefinitely"', async () => {
    expect((await call('GET', '/tokens', keys.expired)).status).toBe(401);
    const soon = new Date(clock + 60_000).toISOString();
    const short = await call('POST', '/tokens', keys.workspace_a, { name: 'short', scopes: ['tokens:read'], expires_at: soon });
    const forever = await call('POST', '/tokens', keys.workspace_a, { name: 'forever', scopes: ['tokens:read'] });
    expect([short.status, short.json!.expires_at, forever.json!.expires_at]).toEqual([201, soon, null]);
    expect((await call('GET', '/tokens', short.json!.token)).status).toBe(200);
    clock += 61_000;
    try {
      expect((await call('GET', '/tokens', short.json!.token)).json).toEqual(UNAUTHORIZED);
      clock += 10 * 365 * 86_400_000;
      expect((await call('GET', '/tokens', forever.json!.token)).status).toBe(200);
    } finally {
      clock = Date.now();
    }
  });

  it('refuses bad token requests with 400 and creates nothing', async () => {
    const before = (await call('GET', '/tokens', keys.workspace_a)).json!.data.length;
    for (const body of [
      { scopes: ['tokens:read'] },
      { name: 'x', scopes: [] },
      { name: 'x', scopes: ['not a scope'] },
      { name: 'x', scopes: ['tokens:read'], expires_at: 'tomorrow' },
      { name: 'x', scopes: ['tokens:read'], expires_at: '2001-01-01T00:00:00Z' },
    ]) {
      expect((await call('POST', '/tokens', keys.workspace_a, body)).status).toBe(400);
    }
    expect((await call('GET', '/tokens', keys.workspace_a)).json!.data.length).toBe(before);
  });

  it('"Rotatable … Yes, via the API": rotating a token stops the old value at once', async () => {
    const made = await call('POST', '/tokens', keys.workspace_a, { name: 'rotating', scopes: ['tokens:read'] });
    const rotated = await call('POST', `/tokens/${made.json!.id}/rotate`, keys.workspace_a);
    expect(rotated.status).toBe(201);
    expect((await call('GET', '/tokens', made.json!.token)).status).toBe(401);
    expect((await call('GET', '/tokens', rotated.json!.token)).status).toBe(200);
  });

  it('downstream services check a token through /v1/tokens/verify, within the workspace and its scopes', async () => {
    const check = (token: string, scopes?: string[], key = keys.workspace_a) => call('POST', '/tokens/verify', key, { token, scopes });
    expect((await check(keys.token_read_only, ['tokens:read'])).json).toMatchObject({ valid: true, token: { name: 'billing reader' } });
    expect((await check(keys.token_read_only, ['tokens:write'])).json).toEqual({ valid: false, reason: 'insufficient_scope' });
    expect((await check(keys.expired)).json).toEqual({ valid: false, reason: 'invalid' });
    // A management key is not a token; another workspace's management key sees no token of ours.
    expect((await check(keys.workspace_a)).json).toEqual({ valid: false, reason: 'invalid' });
    expect((await check(keys.token_read_only, undefined, keys.workspace_b)).json).toEqual({ valid: false, reason: 'invalid' });
  });

  it("a workspace never reaches another workspace's tokens", async () => {
    const theirs = (await call('GET', '/tokens', keys.workspace_a)).json!.data[0].id;
    expect((await call('GET', `/tokens/${theirs}`, keys.workspace_b)).status).toBe(404);
    expect((await call('DELETE', `/tokens/${theirs}`, keys.workspace_b)).status).toBe(404);
    expect((await call('GET', '/tokens', keys.workspace_b)).json!.data).toEqual([]);
  });
});

describe('Tooken: Settings → API Keys (@keyward/dashboard)', () => {
  const KEYS = '/workspaces/ws_acme/keys';

  it('admin creates → the key works → rename → regenerate → revoke → 401; a member is refused; another workspace is a 404', async () => {
    const product = async (key: string) => (await call('GET', '/tokens', key)).status;
    await checkManagementFlow({ origin, workspace: 'ws_acme', otherWorkspace: 'ws_globex', product, create: { scopes: ['*'] } });
  });

  it('"Issued by The Tooken dashboard": a management API key (tok_live_, full workspace access), "displayed only once"', async () => {
    const created = await admin.call('POST', KEYS, { name: 'CI pipeline 2', scopes: ['*'] });
    expect(created.status).toBe(201);
    expect(created.json.key).toMatch(/^tok_live_/);
    expect(created.json.record).toMatchObject({ scopes: ['*'], createdBy: { id: 'user_dana', name: 'Dana Admin' } });
    // Full access: it issues tokens with any scope.
    expect((await call('POST', '/tokens', created.json.key, { name: 'auditor', scopes: ['audit:read'] })).status).toBe(201);
    expect((await admin.call('GET', KEYS)).text).not.toContain(created.json.key);
    // Nothing narrower than full access can be asked for.
    expect((await admin.call('POST', KEYS, { name: 'narrow', scopes: ['tokens:read'] })).status).toBe(400);
  });

  it('"Regenerating an API key immediately and permanently invalidates the old key"; the new value is "displayed only once"', async () => {
    const { key, record } = await createManagementKey(keyward, 'ws_acme', 'to regenerate');
    // No grace period is offered: "now" is the only choice.
    expect((await admin.call('GET', '/workspaces/ws_acme')).json.catalogue.gracePeriods).toEqual([{ value: '0s', seconds: 0 }]);
    expect((await admin.call('POST', `${KEYS}/${record.id}/rotate`, { gracePeriod: '24h' })).status).toBe(400);
    expect((await call('GET', '/tokens', key)).status).toBe(200);
    const res = await admin.call('POST', `${KEYS}/${record.id}/rotate`, {});
    expect(res.status).toBe(201);
    expect(res.json.key).toMatch(/^tok_live_/);
    expect((await call('GET', '/tokens', key)).json).toEqual(UNAUTHORIZED);
    expect((await call('GET', '/tokens', res.json.key)).status).toBe(200);
    const listed = await admin.call('GET', KEYS);
    expect(listed.text).not.toContain(res.json.key);
  });

  it('"You can also delete an API key entirely … the old key stops working immediately — but does not produce a replacement value"', async () => {
    const { key, record } = await createManagementKey(keyward, 'ws_acme', 'to delete');
    const before = (await admin.call('GET', KEYS)).json.items.length;
    const res = await admin.call('DELETE', `${KEYS}/${record.id}`);
    expect([res.status, res.text]).toEqual([204, '']);
    expect((await call('GET', '/tokens', key)).json).toEqual(UNAUTHORIZED);
    expect((await admin.call('GET', KEYS)).json.items.length).toBe(before - 1);
  });
});

describe('Tooken: "Audit regularly — review the audit log … to detect unexpected access patterns early"', () => {
  it('shows who created, rotated and revoked credentials, and the uses of expired and revoked ones — never a key', async () => {
    const made = await call('POST', '/tokens', keys.workspace_a, { name: 'audited', scopes: ['tokens:read'] });
    const rotated = await call('POST', `/tokens/${made.json!.id}/rotate`, keys.workspace_a);
    await call('GET', '/tokens', made.json!.token); // the old value, after the rotation
    await call('DELETE', `/tokens/${rotated.json!.id}`, keys.workspace_a);
    await call('GET', '/tokens', keys.expired);
    await keyward.flush();
    const log = await call('GET', '/audit-log?limit=200', keys.workspace_a);
    expect(log.status).toBe(200);
    const events = log.json!.data as { type: string; credential_id: string | null; actor: string | null }[];
    const about = (id: string) => events.filter((e) => e.credential_id === id).map((e) => e.type);
    expect(about(made.json!.id)).toEqual(expect.arrayContaining(['key.created', 'key.rotated']));
    expect(about(rotated.json!.id)).toEqual(expect.arrayContaining(['key.revoked']));
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['verify.expired_key']));
    const creation = events.find((e) => e.credential_id === made.json!.id && e.type === 'key.created');
    expect(creation?.actor).toMatch(/^credential:key_/);
    for (const key of [made.json!.token, rotated.json!.token, keys.expired, keys.workspace_a]) expect(log.text).not.toContain(key.slice(9));
    // Another workspace sees only its own events; a token without audit:read is refused.
    const theirs = (await call('GET', '/audit-log', keys.workspace_b)).json!.data as { credential_id: string; type: string; reason: string }[];
    const own = (await keyward.list({ workspaceId: 'ws_globex' })).items.map((k) => k.id);
    expect(theirs.length).toBeGreaterThan(0);
    for (const event of theirs) expect(own).toContain(event.credential_id);
    expect((await call('GET', '/audit-log', keys.token_read_only)).status).toBe(403);
  });

  it('Settings → Audit Log: who created, regenerated and deleted API keys in the dashboard, with their name — never a key', async () => {
    const created = await admin.call('POST', '/workspaces/ws_acme/keys', { name: 'audited key', scopes: ['*'] });
    const regenerated = await admin.call('POST', `/workspaces/ws_acme/keys/${created.json.record.id}/rotate`, {});
    await admin.call('DELETE', `/workspaces/ws_acme/keys/${regenerated.json.record.id}`);
    await keyward.flush();
    const log = await admin.call('GET', '/workspaces/ws_acme/audit?type=key.created,key.rotated,key.deleted');
    expect(log.status).toBe(200);
    const about = (id: string) => (log.json.items as { keyId: string; type: string; actor: unknown }[]).filter((e) => e.keyId === id);
    const dana = { id: 'user_dana', name: 'Dana Admin' };
    expect(about(created.json.record.id)).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'key.created', actor: dana }),
        expect.objectContaining({ type: 'key.rotated', actor: dana }),
      ]),
    );
    expect(about(regenerated.json.record.id)).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'key.deleted', actor: dana })]));
    for (const key of [created.json.key, regenerated.json.key]) expect(log.text).not.toContain(key.slice(9));
    // The same events through the API, for a management key.
    const api = await call('GET', '/audit-log?limit=200', keys.workspace_a);
    expect(api.json!.data.filter((e: { credential_id: string }) => e.credential_id === created.json.record.id).length).toBeGreaterThan(0);
    // A member does not read the audit log.
    const member = await signIn(origin, 'member');
    expect((await member.call('GET', '/workspaces/ws_acme/audit')).status).toBe(403);
  });
});
