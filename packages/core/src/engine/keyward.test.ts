import { describe, expect, it } from 'vitest';
// The reference store, by path: a package dependency would make core and store-memory a cycle.
import { memoryStore } from '@keyward/store-memory';
import { KeywardError } from '../errors.js';
import { jsonRenderer } from '../render/problem-details.js';
import type { KeyStore } from '../store/types.js';
import { createKeyward } from './keyward.js';
import { bearer, code, setup, sha, tipar } from './test-support.js';

describe('failing stores fail closed', () => {
  const failing = (findByHash: () => unknown): KeyStore => ({ ...memoryStore(), findByHash: findByHash as KeyStore['findByHash'] });

  it.each([
    [
      'throws',
      () => {
        throw new Error('connection refused');
      },
    ],
    ['rejects', () => Promise.reject(new Error('ECONNRESET'))],
    ['returns a bad row', () => Promise.resolve({ id: 'x', hash: 42 })],
    ['hangs', () => new Promise(() => {})],
  ])('a store that %s gives 503 with Retry-After, never a pass', async (_, impl) => {
    const keyward = createKeyward({ store: failing(impl), format: tipar, storeTimeout: 50 });
    const started = Date.now();
    const result = await keyward.verify(bearer(tipar.generate().key));
    expect(Date.now() - started).toBeLessThan(1000);
    expect(code(result)).toBe('store_unavailable');
    if (result.ok) return;
    const rendered = keyward.render(result.error);
    expect(rendered.status).toBe(503);
    expect(rendered.headers['retry-after']).toBe('1');
    expect(rendered.body).not.toContain('ECONNRESET');
  });

  it('lifecycle calls throw store_unavailable, not the raw error', async () => {
    const store: KeyStore = { ...memoryStore(), insert: () => Promise.reject(new Error('disk full')) };
    await expect(createKeyward({ store }).create({ workspaceId: 'ws', name: 'x' })).rejects.toMatchObject({ code: 'store_unavailable', status: 503 });
  });
});

describe('configuration errors throw at construction', () => {
  it('TypeError for wrong types, RangeError for wrong values', () => {
    expect(() => createKeyward(undefined as never)).toThrow(TypeError);
    expect(() => createKeyward({ store: {} as never })).toThrow(TypeError);
    expect(() => createKeyward({ store: memoryStore(), format: [] })).toThrow(RangeError);
    expect(() => createKeyward({ store: memoryStore(), format: [tipar, tipar] })).toThrow(RangeError);
    expect(() => createKeyward({ store: memoryStore(), hash: [] })).toThrow(RangeError);
    expect(() => createKeyward({ store: memoryStore(), storeTimeout: 0 })).toThrow(RangeError);
  });
});

describe('no key or hash in errors', () => {
  it('never puts the token or its hash in a message, toJSON or rendered body', async () => {
    const { keyward } = setup();
    const { key, record } = await keyward.create({ workspaceId: 'ws', name: 'k', scopes: ['a:b'] });
    await keyward.revoke(record.id);
    const other = await keyward.create({ workspaceId: 'ws2', name: 'k2' });
    const bad = key.slice(0, -1) + (key.endsWith('a') ? 'b' : 'a');
    const attempts = [
      await keyward.verify(bearer(key)),
      await keyward.verify(bearer(bad)),
      await keyward.verify(bearer(other.key), { scopes: ['x:y'] }),
      await keyward.verify(bearer(other.key), { workspaceId: 'ws' }),
      await keyward.verify({ authorization: `Basic ${key}` }),
      await keyward.verify({ authorization: `Bearer ${key} extra` }),
    ];
    for (const r of attempts) {
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      const rendered = keyward.render(r.error);
      const everything = [
        r.error.message,
        JSON.stringify(r.error),
        String(r.error),
        r.error.stack ?? '',
        rendered.body,
        JSON.stringify(rendered.headers),
      ].join('\n');
      for (const secret of [key, bad, other.key, sha(key), sha(other.key), key.slice(11, 31)]) expect(everything).not.toContain(secret);
    }
  });

  it('KeywardError is one class with a code and a status', () => {
    const error = new KeywardError('rate_limited', { retryAfter: 2.2 });
    expect(error).toBeInstanceOf(Error);
    expect(error.status).toBe(429);
    expect(error.toJSON()).toEqual({ name: 'KeywardError', code: 'rate_limited', status: 429, message: error.message, retryAfter: 2.2 });
  });
});

describe('renderers', () => {
  it('renders Problem Details (RFC 9457) with the RFC 6750 challenge by default', async () => {
    const { keyward } = setup();
    const missing = await keyward.verify({});
    const rendered = !missing.ok && keyward.render(missing.error);
    expect(rendered).toMatchObject({
      status: 401,
      headers: { 'content-type': 'application/problem+json', 'www-authenticate': 'Bearer', 'cache-control': 'no-store' },
    });
    expect(JSON.parse((rendered as { body: string }).body)).toEqual({
      type: 'about:blank',
      title: 'Unauthorized',
      status: 401,
      detail: expect.any(String),
      code: 'missing_credentials',
    });
    const bad = await keyward.verify(bearer(tipar.generate().key));
    expect(!bad.ok && keyward.render(bad.error).headers['www-authenticate']).toBe('Bearer error="invalid_token"');
    const header = await keyward.verify({ authorization: 'Bearer' });
    expect(!header.ok && keyward.render(header.error).headers['www-authenticate']).toBe('Bearer error="invalid_request"');
  });

  it('renders any body shape a provider documents', async () => {
    const tiro = jsonRenderer(
      () => ({ error: { code: 'invalid_api_key', message: 'The API key provided is invalid', type: 'authentication_error' } }),
      { realm: 'tiro' },
    );
    const { keyward } = setup({ renderer: tiro });
    const result = await keyward.verify(bearer(tipar.generate().key));
    const rendered = !result.ok && keyward.render(result.error);
    expect(rendered).toMatchObject({
      status: 401,
      headers: { 'content-type': 'application/json; charset=utf-8', 'www-authenticate': 'Bearer realm="tiro", error="invalid_token"' },
    });
    expect(JSON.parse((rendered as { body: string }).body)).toEqual({
      error: { code: 'invalid_api_key', message: 'The API key provided is invalid', type: 'authentication_error' },
    });
  });
});

describe('keyward.findKeys and keyward.scrubKeys', () => {
  it("find and scrub keys of the engine's own formats, without naming them", async () => {
    const keyward = createKeyward({ store: memoryStore(), format: tipar });
    const { key } = await keyward.create({ workspaceId: 'ws', name: 'k' });
    const text = `leaked: ${key}.`;
    expect(keyward.findKeys(text)).toEqual([{ key, index: 8, format: 'tipar' }]);
    expect(keyward.scrubKeys(text)).toBe(`leaked: ${tipar.redact(key)}.`);
  });
});
