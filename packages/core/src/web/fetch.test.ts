// Over real HTTP, the fetch helper runs the adapters' conformance suite behind the examples'
// node:http bridge: examples/support/test/fetch-server.test.ts.
import { describe, expect, it } from 'vitest';
import { createKeyward } from '../engine/keyward.js';
import type { KeyStore, StoredKey } from '../store/types.js';
import { authenticateRequest, withApiKey } from './fetch.js';
import { routeOptions } from '../adapter/route-options.js';

function store(): KeyStore {
  const rows = new Map<string, StoredKey>();
  return {
    local: true,
    async insert(k) {
      rows.set(k.hash, k);
    },
    findById: () => null,
    findByHash: (h) => rows.get(h) ?? null,
    list: async () => ({ items: [...rows.values()], nextCursor: null }),
    update: async () => null,
    delete: async () => null,
    rotate: async () => {
      throw new Error('unused');
    },
  };
}

describe('fetch helpers', () => {
  it('authenticateRequest gives the key, or a ready Response', async () => {
    const keyward = createKeyward({ store: store() });
    const { key, record } = await keyward.create({ workspaceId: 'ws_1', name: 'k', scopes: ['notes:read'] });
    const ok = await authenticateRequest(keyward, new Request('https://api.test/x', { headers: { authorization: `Bearer ${key}` } }));
    expect(ok.ok && ok.key.id).toBe(record.id);
    const refused = await authenticateRequest(keyward, new Request('https://api.test/x', { headers: { authorization: `Bearer ${key}` } }), {
      scopes: ['notes:write'],
    });
    expect(refused.ok).toBe(false);
    if (refused.ok) return;
    expect(refused.error.code).toBe('insufficient_scope');
    expect(refused.response.status).toBe(403);
    expect(refused.response.headers.get('content-type')).toBe('application/problem+json');
    expect(await refused.response.json()).toMatchObject({ code: 'insufficient_scope', missing_scopes: ['notes:write'] });
  });

  it('ignores ?access_token= and a token in the body', async () => {
    const keyward = createKeyward({ store: store() });
    const { key } = await keyward.create({ workspaceId: 'ws_1', name: 'k' });
    const handler = withApiKey(() => new Response('secret'), { keyward });
    const response = await handler(new Request(`https://api.test/x?access_token=${key}`, { method: 'POST', body: `access_token=${key}` }));
    expect(response.status).toBe(401);
    expect((await response.json()) as unknown).toMatchObject({ code: 'missing_credentials' });
  });

  it('passes extra arguments on (Workers env, ctx) and adds engine headers to immutable responses', async () => {
    const keyward = createKeyward({ store: store(), legacy: { sunset: '2099-01-01T00:00:00Z' } });
    // A legacy key needs a parseable key: generate one and import its hash.
    const generated = keyward.formats[0]!.generate().key;
    await keyward.import({ legacy: true, ownerId: 'u1', hash: keyward.hashers[0]!.hash(generated), hint: generated.slice(-4), name: 'old' });
    const handler = withApiKey(
      (_request, key, env: { region: string }) => {
        expect(key.legacy).toBe(true);
        return Response.redirect(`https://api.test/${env.region}`, 302);
      },
      { keyward },
    );
    const response = await handler(new Request('https://api.test/', { headers: { authorization: `Bearer ${generated}` } }), { region: 'eu' });
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('https://api.test/eu');
    expect(response.headers.get('sunset')).toBe('Thu, 01 Jan 2099 00:00:00 GMT');
    expect(response.headers.get('deprecation')).toMatch(/^@\d+$/);
  });

  it('keeps a header the handler set itself', async () => {
    const keyward = createKeyward({ store: store(), legacy: { sunset: '2099-01-01T00:00:00Z' } });
    const generated = keyward.formats[0]!.generate().key;
    await keyward.import({ legacy: true, ownerId: 'u1', hash: keyward.hashers[0]!.hash(generated), hint: generated.slice(-4), name: 'old' });
    const handler = withApiKey(() => new Response('ok', { headers: { sunset: 'Fri, 01 Jan 2100 00:00:00 GMT' } }), { keyward });
    const response = await handler(new Request('https://api.test/', { headers: { authorization: `Bearer ${generated}` } }));
    expect(response.headers.get('sunset')).toBe('Fri, 01 Jan 2100 00:00:00 GMT');
  });

  it('reports refusals to onRefused, with the error and never the key', async () => {
    const keyward = createKeyward({ store: store() });
    const seen: string[] = [];
    const handler = withApiKey(() => new Response('ok'), { keyward, onRefused: (error) => seen.push(error.code) });
    await handler(new Request('https://api.test/', { headers: { authorization: 'Basic abc' } }));
    expect(seen).toEqual(['malformed_header']);
  });

  it('refuses bad arguments when the route is declared', () => {
    const keyward = createKeyward({ store: store() });
    expect(() => withApiKey(() => new Response(), { keyward: undefined as never })).toThrow(/withApiKey\(handler, \{ keyward \}\)/);
    expect(() => withApiKey(() => new Response(), undefined as never)).toThrow(TypeError);
    expect(() => withApiKey(undefined as never, { keyward })).toThrow(TypeError);
    expect(() => withApiKey(() => new Response(), { keyward, scopes: ['not a scope'] })).toThrow(RangeError);
    expect(() => withApiKey(() => new Response(), { keyward, workspaceId: 42 as never })).toThrow(TypeError);
  });

  it('still takes the engine first, as before (deprecated call shape, one release)', async () => {
    const keyward = createKeyward({ store: store() });
    const { key } = await keyward.create({ workspaceId: 'ws_1', name: 'k', scopes: ['notes:read'] });
    const handler = withApiKey(keyward, (_request, k) => Response.json({ id: k.id }), { scopes: ['notes:write'] });
    const refused = await handler(new Request('https://api.test/', { headers: { authorization: `Bearer ${key}` } }));
    expect(refused.status).toBe(403);
    const open = withApiKey(keyward, (_request, k) => Response.json({ workspace: k.workspaceId }));
    const passed = await open(new Request('https://api.test/', { headers: { authorization: `Bearer ${key}` } }));
    expect(await passed.json()).toEqual({ workspace: 'ws_1' });
    expect(() => withApiKey(undefined as never, () => new Response())).toThrow(TypeError);
  });
});

describe('routeOptions', () => {
  it('shares one object for static options and resolves functions per request', () => {
    const fixed = routeOptions<{ ws?: string }>({ scopes: ['notes:read'], workspaceId: 'ws_1' });
    expect(fixed({})).toBe(fixed({}));
    expect(fixed({})).toEqual({ scopes: ['notes:read'], workspaceId: 'ws_1' });
    const dynamic = routeOptions<{ ws?: string }>({ workspaceId: (r) => r.ws! });
    expect(dynamic({ ws: 'ws_2' })).toEqual({ workspaceId: 'ws_2' });
    expect(routeOptions(undefined)({})).toBeUndefined();
  });

  it('fails closed when a workspace function returns nothing', () => {
    const dynamic = routeOptions<{ ws?: string }>({ workspaceId: (r) => r.ws! });
    expect(() => dynamic({})).toThrow(/workspaceId\(request\) returned undefined/);
    expect(() => dynamic({ ws: '' })).toThrow(TypeError);
  });
});
