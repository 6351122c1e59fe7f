import { createKeyward, idSecretFormat, KeywardError, prefixedFormat, sha256Hasher, type ApiKey } from '@keyward/core';
import { describeAdapter } from '@keyward/core/testing';
import { memoryStore, type MemoryStore } from '@keyward/store-memory';
import type { NextRequest } from 'next/server';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { apiKeyProxy, KEY_ID_HEADER, withApiKey, WORKSPACE_ID_HEADER, type ApiKeyContext } from '../src/index.js';
import { buildApp, startApp } from './next-app.js';

// One production build of test-app/ (cached between runs while its inputs are unchanged), then one
// `next start` per suite. The keys cross from this process to the server as the records of a
// memory store (see test-app/lib/engines.ts).
beforeAll(() => buildApp(), 240_000);

// `next start` builds each handler's `Headers` from Node's `req.headers`, where Node has already
// dropped a second `Authorization` header: the first one counts; and it answers `TRACE` and the
// target `*` with a 500 before any code of the app runs (see the README). The custom server of
// test-app/server.mjs gets the refusals every other adapter gives.
const NEXT_START = { duplicateAuthorization: 'first', serverFaults: ['forbidden-methods', 'asterisk-form'] } as const;
const suites = [
  { mode: 'node', server: 'next start', ...NEXT_START },
  { mode: 'edge', server: 'next start', ...NEXT_START },
  { mode: 'node', server: 'custom', duplicateAuthorization: 'refused', serverFaults: [] },
] as const;
for (const { mode, server, duplicateAuthorization, serverFaults } of suites) {
  let store: MemoryStore;
  describeAdapter({
    name: `next 16 route handlers, ${mode === 'node' ? 'Node' : 'Edge'} runtime, ${server === 'custom' ? 'the custom server of the README' : 'next start'}`,
    createStore: () => (store = memoryStore()),
    start: ({ engine }) => startApp({ ...engine, keys: store.dump(), mode }, server),
    duplicateAuthorization,
    serverFaults,
  });
}

const DAY = 86_400_000;

describe('@keyward/next in next start', () => {
  const now = Date.now();
  const legacyCreated = new Date(Date.UTC(2020, 0, 1));
  const legacySunset = new Date(now + 30 * DAY);
  const store = memoryStore();
  const keyward = createKeyward({ store, format: [prefixedFormat({ prefix: 'kw' }), idSecretFormat()], now: () => now });
  let server: Awaited<ReturnType<typeof startApp>>;
  const keys = { reader: '', readerId: '', writer: '', writerId: '', legacy: '', legacyId: '' };

  beforeAll(async () => {
    const reader = await keyward.create({ workspaceId: 'ws_a', name: 'reader', scopes: ['notes:read'] });
    const writer = await keyward.create({ workspaceId: 'ws_a', name: 'writer', scopes: ['notes:write'] });
    const legacyKey = prefixedFormat({ prefix: 'kw' }).generate().key;
    const legacy = await keyward.import({
      legacy: true,
      ownerId: 'user_1',
      hash: sha256Hasher().hash(legacyKey),
      hint: legacyKey.slice(-4),
      name: 'legacy',
      sunsetAt: legacySunset,
      createdAt: legacyCreated,
    });
    Object.assign(keys, {
      reader: reader.key,
      readerId: reader.record.id,
      writer: writer.key,
      writerId: writer.record.id,
      legacy: legacyKey,
      legacyId: legacy.id,
    });
    server = await startApp({ now, prefix: 'kw', downStoreTimeout: 100, keys: store.dump(), mode: 'node' });
  });

  afterAll(() => server?.close());

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`http://127.0.0.1:${server.port}${path}`, { headers, redirect: 'manual' });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };
  const bearer = (key: string, more: Record<string, string> = {}) => ({ authorization: `Bearer ${key}`, ...more });
  const forged = { [KEY_ID_HEADER]: 'forged-id', [WORKSPACE_ID_HEADER]: 'ws_forged' };

  /** The answer carries exactly what the renderer produced for `error`. */
  const expectRendered = (answer: Awaited<ReturnType<typeof get>>, error: KeywardError) => {
    const rendered = keyward.render(error);
    expect({
      status: answer.status,
      headers: Object.fromEntries(Object.keys(rendered.headers).map((name) => [name, answer.headers.get(name)])),
      body: answer.text,
    }).toEqual({ status: rendered.status, headers: rendered.headers, body: rendered.body });
  };

  describe('withApiKey', () => {
    for (const path of ['/failing', '/edge/failing']) {
      it(`answers 503 with Retry-After when the store fails, never a pass (${path})`, async () => {
        const answer = await get(path, bearer(keys.reader));
        expectRendered(answer, new KeywardError('store_unavailable', { retryAfter: 1 }));
        expect(answer.headers.get('retry-after')).toBe('1');
        expect(answer.text).not.toContain(keys.reader);
      });
    }

    it('adds Deprecation and Sunset to the handler’s response, keeping a header the handler set', async () => {
      const answer = await get('/own-headers', bearer(keys.legacy));
      expect(answer.status).toBe(200);
      expect(answer.headers.get('deprecation')).toBe(`@${legacyCreated.getTime() / 1000}`);
      expect(answer.headers.get('sunset')).toBe('handler');
    });

    it('adds them to a response with immutable headers (Response.redirect) too', async () => {
      const answer = await get('/own-headers?redirect', bearer(keys.legacy));
      expect(answer.status).toBe(307);
      expect(answer.headers.get('location')).toMatch(/\/unprotected$/);
      expect(answer.headers.get('sunset')).toBe(legacySunset.toUTCString());
    });

    it('turns a workspace function that returns nothing into a 500, not a pass', async () => {
      const answer = await get('/bad-workspace', bearer(keys.reader));
      expect(answer.status).toBe(500);
      expect(answer.text).not.toContain(keys.readerId);
    });
  });

  describe('apiKeyProxy (proxy.ts)', () => {
    it('refuses a request without a key under the guarded prefix with the rendered error', async () => {
      expectRendered(await get('/guarded/whoami'), new KeywardError('missing_credentials'));
      expectRendered(await get('/guarded/whoami', bearer(keys.reader.slice(0, -2))), new KeywardError('malformed_key'));
    });

    it('forwards the verified key’s id and workspace in request headers, replacing forged ones', async () => {
      const answer = await get('/guarded/whoami', bearer(keys.reader, forged));
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toEqual({ keyId: keys.readerId, workspaceId: 'ws_a' });
    });

    it('strips forged key headers from requests it lets through outside the prefix', async () => {
      const answer = await get('/open/whoami', forged);
      expect(JSON.parse(answer.text)).toEqual({ keyId: null, workspaceId: null });
    });

    it('cannot strip them on paths outside its matcher (the documented caveat)', async () => {
      const answer = await get('/unmatched/whoami', forged);
      expect(JSON.parse(answer.text)).toEqual({ keyId: 'forged-id', workspaceId: 'ws_forged' });
    });

    it('lets withApiKey verify again behind it to get the whole key', async () => {
      const answer = await get('/guarded/verified', bearer(keys.writer));
      expect(JSON.parse(answer.text)).toEqual({ keyId: keys.writerId, workspaceId: 'ws_a' });
    });

    it('guards a prefix only on a segment boundary, and answers 503 when its store hangs', async () => {
      const started = Date.now();
      const answer = await get('/guarded-down/whoami', bearer(keys.reader));
      expectRendered(answer, new KeywardError('store_unavailable', { retryAfter: 1 }));
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('checks scopes, and forwards nothing with forwardKey: false', async () => {
      expectRendered(
        await get('/guarded-scoped/whoami', bearer(keys.reader)),
        new KeywardError('insufficient_scope', { missingScopes: ['notes:write'] }),
      );
      const answer = await get('/guarded-scoped/whoami', bearer(keys.writer, forged));
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toEqual({ keyId: null, workspaceId: null });
    });

    it('adds Deprecation and Sunset of a legacy key to the response', async () => {
      const answer = await get('/guarded/whoami', bearer(keys.legacy));
      expect(answer.status).toBe(200);
      expect(JSON.parse(answer.text)).toEqual({ keyId: keys.legacyId, workspaceId: null });
      expect(answer.headers.get('deprecation')).toBe(`@${legacyCreated.getTime() / 1000}`);
      expect(answer.headers.get('sunset')).toBe(legacySunset.toUTCString());
    });
  });
});

describe('@keyward/next arguments and types', () => {
  const keyward = createKeyward({ store: memoryStore() });

  it('refuses bad arguments when the route is declared', () => {
    const handler = () => new Response('ok');
    expect(() => withApiKey(handler, undefined as never)).toThrow(TypeError);
    expect(() => withApiKey(handler, { keyward: undefined as never })).toThrow(/withApiKey\(handler, \{ keyward \}\)/);
    expect(() => withApiKey(undefined as never, { keyward })).toThrow(TypeError);
    expect(() => withApiKey(handler, { keyward, scopes: ['bad scope'] })).toThrow(RangeError);
    expect(() => apiKeyProxy({ keyward, prefixes: ['api'] })).toThrow(RangeError);
    expect(() => apiKeyProxy({ keyward: {} as never })).toThrow(TypeError);
  });

  it('types the key in the handler’s context and keeps the route’s context type', () => {
    type Ctx = { params: Promise<{ ws: string }> };
    const route = withApiKey<Ctx>(
      (_request, context) => {
        expectTypeOf(context.apiKey).toEqualTypeOf<ApiKey>();
        expectTypeOf(context.params).toEqualTypeOf<Promise<{ ws: string }>>();
        return new Response();
      },
      { keyward, workspaceId: (_request, params) => params.ws },
    );
    expectTypeOf(route).parameters.toEqualTypeOf<[NextRequest, Ctx]>();
    expectTypeOf<ApiKeyContext['apiKey']>().toEqualTypeOf<ApiKey>();
  });
});
