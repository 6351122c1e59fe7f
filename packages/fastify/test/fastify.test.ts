import { createKeyward, type ApiKey } from '@keyward/core';
import { describeAdapter } from '@keyward/core/testing';
import { memoryStore } from '@keyward/store-memory';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { fastifyKeyward, getApiKey } from '../src/index.js';

async function listen(app: FastifyInstance) {
  await app.listen({ port: 0, host: '127.0.0.1' });
  const address = app.server.address();
  return { port: typeof address === 'object' && address ? address.port : 0, close: () => app.close() };
}

describeAdapter({
  name: 'fastify 5',
  async start({ keyward, downKeyward, routes, body }) {
    const app = Fastify();
    const reply = async (request: FastifyRequest) => body(request.apiKey);
    await app.register(async (api) => {
      await api.register(fastifyKeyward, { keyward });
      api.get(routes.protected.path, reply);
      api.get(routes.scoped.path, { config: { apiKey: { scopes: routes.scoped.scopes } } }, reply);
      api.get<{ Params: { ws: string } }>(
        '/workspaces/:ws/protected',
        { config: { apiKey: { workspaceId: (request) => (request.params as { ws: string }).ws } } },
        reply,
      );
      // A public route inside a protected scope.
      api.get(routes.unprotected.path, { config: { apiKey: false } }, reply);
    });
    await app.register(async (api) => {
      await api.register(fastifyKeyward, { keyward: downKeyward });
      api.get(routes.down.path, reply);
    });
    // A group: a plugin registered with the prefix, whose every route needs a key.
    await app.register(
      async (group) => {
        await group.register(fastifyKeyward, { keyward });
        group.get(routes.group.path.slice(routes.group.prefix.length), reply);
      },
      { prefix: routes.group.prefix },
    );
    return listen(app);
  },
});

describe('@keyward/fastify', () => {
  it('types request.apiKey and the route config', () => {
    expectTypeOf<FastifyRequest['apiKey']>().toEqualTypeOf<ApiKey | null>();
    expectTypeOf(getApiKey).returns.toEqualTypeOf<ApiKey>();
  });

  it('checks the key in onRequest, before the body is read', async () => {
    const keyward = createKeyward({ store: memoryStore() });
    const app = Fastify();
    let parsed = 0;
    app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, text, done) => {
      parsed++;
      done(null, JSON.parse(text as string));
    });
    await app.register(fastifyKeyward, { keyward });
    app.post('/notes', async () => 'created');
    const answer = await app.inject({ method: 'POST', url: '/notes', payload: { a: 1 } });
    expect(answer.statusCode).toBe(401);
    expect(parsed).toBe(0);
  });

  it('protects only marked routes with protectAll: false; a sibling scope sees no key', async () => {
    const keyward = createKeyward({ store: memoryStore() });
    const { key, record } = await keyward.create({ workspaceId: 'ws_1', name: 'k', scopes: ['notes:read'] });
    const app = Fastify();
    await app.register(async (api) => {
      await api.register(fastifyKeyward, { keyward, protectAll: false });
      api.get('/open', async (request) => ({ key: request.apiKey }));
      api.get('/any', { config: { apiKey: true } }, async (request) => ({ id: getApiKey(request).id }));
      api.get('/write', { config: { apiKey: { scopes: ['notes:write'] } } }, async () => 'written');
    });
    app.get('/sibling', async (request) => ({ key: request.apiKey ?? null }));
    const auth = { authorization: `Bearer ${key}` };
    expect((await app.inject({ url: '/open', headers: auth })).json()).toEqual({ key: null });
    expect((await app.inject({ url: '/any', headers: auth })).json()).toEqual({ id: record.id });
    expect((await app.inject({ url: '/any' })).statusCode).toBe(401);
    const write = await app.inject({ url: '/write', headers: auth });
    expect(write.statusCode).toBe(403);
    expect(write.headers['www-authenticate']).toBe('Bearer error="insufficient_scope", scope="notes:write"');
    expect((await app.inject({ url: '/sibling', headers: auth })).json()).toEqual({ key: null });
  });

  it('logs a failing store at error level and answers the rendered 503', async () => {
    const keyward = createKeyward({ store: memoryStore() });
    const { key } = await keyward.create({ workspaceId: 'ws_1', name: 'k' });
    // A store error whose message holds the key: the log line keeps its class and a redacted message.
    const failure = Object.assign(new Error(`connection refused while reading ${key}`), { code: 'ECONNREFUSED' });
    const down = createKeyward({ store: { ...memoryStore(), findByHash: () => Promise.reject(failure) }, cache: false });
    const lines: string[] = [];
    const app = Fastify({ logger: { level: 'error', stream: { write: (line: string) => lines.push(line) } } });
    await app.register(fastifyKeyward, { keyward: down });
    app.get('/x', async () => 'must not run');
    const answer = await app.inject({ url: '/x', headers: { authorization: `Bearer ${key}` } });
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['retry-after']).toBe('1');
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.json()).toMatchObject({ code: 'store_unavailable' });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 50,
      code: 'store_unavailable',
      cause: 'ECONNREFUSED',
      detail: expect.stringContaining('connection refused'),
    });
    expect(lines[0]).not.toContain(key.slice(-12));
  });

  it('passes a workspace function that returns nothing to the error handler (500), not through', async () => {
    const keyward = createKeyward({ store: memoryStore() });
    const { key } = await keyward.create({ workspaceId: 'ws_1', name: 'k' });
    const app = Fastify();
    await app.register(fastifyKeyward, { keyward });
    app.get('/x', { config: { apiKey: { workspaceId: () => undefined as unknown as string } } }, async () => 'must not run');
    const answer = await app.inject({ url: '/x', headers: { authorization: `Bearer ${key}` } });
    expect(answer.statusCode).toBe(500);
    expect(answer.body).not.toContain('must not run');
  });

  it('refuses to register without an engine', async () => {
    const app = Fastify();
    await expect(app.register(fastifyKeyward, {} as never).ready()).rejects.toThrow(TypeError);
  });
});
