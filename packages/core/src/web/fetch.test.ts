import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createKeyward } from '../engine/keyward.js';
import type { ApiKey } from '../engine/types.js';
import { describeAdapter } from '../testing/describe-adapter.js';
import type { KeyStore, StoredKey } from '../store/types.js';
import { authenticateRequest, withApiKey } from './fetch.js';
import { routeOptions } from '../adapter/route-options.js';

/** node:http → Request → handler → Response → node:http, as the servers of other runtimes do natively. */
function serve(handler: (request: Request) => Promise<Response>) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
    const response = await handler(new Request(`http://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`, { method: req.method, headers }));
    res.statusCode = response.status;
    response.headers.forEach((value, name) => {
      res.setHeader(name, value);
    });
    res.end(new Uint8Array(await response.arrayBuffer()));
  };
}

describeAdapter({
  name: 'fetch helper (withApiKey)',
  async start({ keyward, downKeyward, routes, body }) {
    const reply = (_request: Request, key: ApiKey | null) => Response.json(body(key));
    const workspaceRoute = /^\/workspaces\/([^/]+)\/protected$/;
    const handlers = {
      protected: withApiKey(reply, { keyward }),
      scoped: withApiKey(reply, { keyward, scopes: routes.scoped.scopes }),
      workspace: withApiKey(reply, { keyward, workspaceId: (request) => workspaceRoute.exec(new URL(request.url).pathname)![1]! }),
      down: withApiKey(reply, { keyward: downKeyward }),
    };
    const server = createServer(
      serve(async (request) => {
        const { pathname } = new URL(request.url);
        if (pathname === routes.protected.path) return handlers.protected(request);
        if (pathname === routes.scoped.path) return handlers.scoped(request);
        if (pathname === routes.down.path) return handlers.down(request);
        if (pathname === routes.unprotected.path) return reply(request, null);
        if (workspaceRoute.test(pathname)) return handlers.workspace(request);
        return new Response('not found', { status: 404 });
      }),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return { port: (server.address() as AddressInfo).port, close: () => new Promise<void>((r) => server.close(() => r())) };
  },
});

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
