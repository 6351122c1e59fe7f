import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
// The reference store, by path: a package dependency would make core and store-memory a cycle.
import { memoryStore } from '@keyward/store-memory';
import { KeywardError } from '../errors.js';
import { idSecretFormat } from '../format/id-secret.js';
import { prefixedFormat } from '../format/prefixed.js';
import { hmacSha256Hasher, sha256Hasher } from '../hash/hasher.js';
import { jsonRenderer } from '../render/problem-details.js';
import type { KeyStore, StoredKey } from '../store/types.js';
import { createKeyward, type KeywardOptions } from './keyward.js';
import type { VerifyResult } from './types.js';

const tipar = prefixedFormat({ prefix: 'tipar', randomLength: 26 });
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const code = (r: VerifyResult) => (r.ok ? 'ok' : r.error.code);
const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/** A memory store that counts every call, to prove which requests reach the store. */
function countingStore(inner: KeyStore = memoryStore()) {
  const calls: string[] = [];
  const store = new Proxy(inner, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(prop));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { store, calls };
}

function setup(options: Partial<KeywardOptions> = {}) {
  let clock = Date.UTC(2026, 10, 22, 12);
  const { store, calls } = countingStore();
  const keyward = createKeyward({ store, format: tipar, now: () => clock, ...options });
  return { keyward, store, calls, tick: (ms: number) => (clock += ms), now: () => clock };
}

describe('Keyward.create', () => {
  it('returns the plaintext once with a record of every field, and keeps no plaintext', async () => {
    const { keyward, store } = setup();
    const { key, record } = await keyward.create({
      workspaceId: 'ws_a',
      name: 'prod-billing-worker',
      scopes: ['notes:read'],
      environment: 'test',
      expiresIn: '30d',
      metadata: { team: 'billing' },
    });
    expect(key).toMatch(/^tipar_test_[0-9A-Za-z]{32}$/);
    expect(record).toMatchObject({
      workspaceId: 'ws_a',
      name: 'prod-billing-worker',
      environment: 'test',
      scopes: ['notes:read'],
      hint: key.slice(-4),
      prefix: 'tipar_test_',
      metadata: { team: 'billing' },
      legacy: false,
      revokedAt: null,
    });
    expect(record.id).toMatch(/^key_[0-9A-Za-z]{20}$/);
    expect(record.createdAt).toBeInstanceOf(Date);
    expect(record.expiresAt!.getTime() - record.createdAt.getTime()).toBe(30 * 86_400_000);
    expect(record).not.toHaveProperty('hash');
    expect(JSON.stringify(record)).not.toContain(key.slice(11, 30));
    const stored = (await store.findById(record.id)) as StoredKey;
    expect(stored.hash).toBe(sha(key));
    expect(JSON.stringify(stored)).not.toContain(key);
  });

  it('refuses to create legacy keys and bad input, with clear errors', async () => {
    const { keyward } = setup();
    await expect(keyward.create({ workspaceId: 'ws', name: 'x', legacy: true } as never)).rejects.toMatchObject({
      code: 'invalid_argument',
      message: expect.stringContaining('only imported'),
    });
    await expect(keyward.create({ workspaceId: '', name: 'x' })).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(keyward.create({ workspaceId: 'ws', name: '' })).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(keyward.create({ workspaceId: 'ws', name: 'x', scopes: ['bad scope'] })).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(keyward.create({ workspaceId: 'ws', name: 'x', environment: 'prod' })).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(keyward.create({ workspaceId: 'ws', name: 'x', expiresIn: '3 fortnights' as never })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(keyward.create({ workspaceId: 'ws', name: 'x', format: 'nope' })).rejects.toMatchObject({ code: 'invalid_argument' });
  });

  it('allows several active keys per workspace and lists them without hashes', async () => {
    const { keyward } = setup();
    const keys = await Promise.all([1, 2, 3].map((i) => keyward.create({ workspaceId: 'ws_multi', name: `k${i}` })));
    await keyward.create({ workspaceId: 'ws_other', name: 'other' });
    for (const { key } of keys) expect(code(await keyward.verify(bearer(key)))).toBe('ok');
    const page = await keyward.list({ workspaceId: 'ws_multi' });
    expect(page.items.map((k) => k.name).sort()).toEqual(['k1', 'k2', 'k3']);
    for (const item of page.items) expect(item).not.toHaveProperty('hash');
    await expect(keyward.list({} as never)).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});

describe('Keyward.verify', () => {
  it('checks the checksum of a key it finds at once only when the key is not found', async () => {
    // A key found by the hash of its whole text was issued with a good checksum: the engine skips
    // that pass for a memory store or a cache hit, and still tells a mistyped key from an unknown one.
    const used: string[] = [];
    const spied = {
      ...tipar,
      parse: (t: string) => {
        used.push('parse');
        return tipar.parse(t);
      },
      parseUnchecked: (t: string) => {
        used.push('unchecked');
        return tipar.parseUnchecked!(t);
      },
    };
    const local = createKeyward({ store: memoryStore(), format: spied });
    const { key } = await local.create({ workspaceId: 'ws', name: 'k', environment: 'test' });
    const flipped = key.slice(0, 20) + (key[20] === 'a' ? 'b' : 'a') + key.slice(21);
    const unknown = tipar.generate({ environment: 'test' }).key;
    used.length = 0;
    expect(code(await local.verify(bearer(key)))).toBe('ok');
    expect(used).toEqual(['unchecked']);
    used.length = 0;
    expect(code(await local.verify(bearer(flipped)))).toBe('malformed_key');
    expect(used).toEqual(['unchecked', 'parse']);
    expect(local.verifyNow(bearer(unknown))).toMatchObject({ ok: false, error: { code: 'invalid_key', reason: 'unknown' } });
    expect(code(await local.verify(bearer(key), { environment: 'live' }))).toBe('environment_mismatch');
    // A store a round trip away: checked before the first lookup, not once the record is cached.
    const { store, calls } = countingStore();
    const remote = createKeyward({ store: new Proxy(store, { get: (t, p, r) => (p === 'local' ? false : Reflect.get(t, p, r)) }), format: spied });
    await remote.import({ workspaceId: 'ws', name: 'k', hash: sha(key), hint: key.slice(-4), format: 'tipar' });
    used.length = 0;
    calls.length = 0;
    expect(code(await remote.verify(bearer(key)))).toBe('ok');
    expect(used).toEqual(['unchecked', 'parse']);
    expect(code(await remote.verify(bearer(key)))).toBe('ok');
    expect(used).toEqual(['unchecked', 'parse', 'unchecked']);
    expect(calls.filter((c) => c === 'findByHash')).toHaveLength(1);
    expect(code(await remote.verify(bearer(flipped)))).toBe('malformed_key');
    expect(calls.filter((c) => c === 'findByHash')).toHaveLength(1);
  });

  it('returns the verified key from a Node header record or a Web Headers', async () => {
    const { keyward } = setup();
    const { key, record } = await keyward.create({ workspaceId: 'ws_a', name: 'k', scopes: ['notes:*'], metadata: { m: 1 } });
    for (const headers of [bearer(key), new Headers(bearer(key))]) {
      const result = await keyward.verify(headers);
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.key).toMatchObject({ id: record.id, workspaceId: 'ws_a', scopes: ['notes:*'], environment: 'live', metadata: { m: 1 } });
      expect(result.key).not.toHaveProperty('hash');
      expect(result.headers).toEqual({});
    }
  });

  it('refuses malformed keys without touching a store that is a round trip away', async () => {
    const { store, calls } = countingStore();
    const remote = new Proxy(store, { get: (target, prop, receiver) => (prop === 'local' ? false : Reflect.get(target, prop, receiver)) });
    const keyward = createKeyward({ store: remote, format: tipar });
    const { key } = await keyward.create({ workspaceId: 'ws', name: 'k' });
    calls.length = 0;
    const flipped = key.slice(0, 20) + (key[20] === 'a' ? 'b' : 'a') + key.slice(21);
    const cases = [
      [{}, 'missing_credentials'],
      [{ authorization: 'Basic abc' }, 'malformed_header'],
      [bearer(flipped), 'malformed_key'],
      [bearer(key.slice(0, -1)), 'malformed_key'],
      [bearer(`tipax${key.slice(5)}`), 'malformed_key'],
      [bearer(`tipar_prod_${key.slice(11)}`), 'malformed_key'],
      [bearer('x'.repeat(500)), 'malformed_key'],
    ] as const;
    for (const [headers, expected] of cases) expect(code(await keyward.verify(headers))).toBe(expected);
    expect(calls).toEqual([]);
  });

  it("answers an unknown, a revoked and another workspace's key byte-identically", async () => {
    const { keyward } = setup();
    const revoked = await keyward.create({ workspaceId: 'ws_a', name: 'revoked' });
    await keyward.revoke(revoked.record.id);
    const other = await keyward.create({ workspaceId: 'ws_b', name: 'other' });
    const unknown = tipar.generate().key;
    const results = [
      await keyward.verify(bearer(unknown), { workspaceId: 'ws_a' }),
      await keyward.verify(bearer(revoked.key), { workspaceId: 'ws_a' }),
      await keyward.verify(bearer(other.key), { workspaceId: 'ws_a' }),
    ];
    const rendered = results.map((r) => (r.ok ? null : keyward.render(r.error)));
    expect(rendered[0]).not.toBeNull();
    expect(rendered[0]!.status).toBe(401);
    expect(rendered[1]).toEqual(rendered[0]);
    expect(rendered[2]).toEqual(rendered[0]);
    expect(results.map((r) => !r.ok && r.error.reason)).toEqual(['unknown', 'revoked', 'workspace_mismatch']);
    expect(code(await keyward.verify(bearer(other.key), { workspaceId: 'ws_b' }))).toBe('ok');
  });

  it('revokes at once, expires by the clock, deletes for good', async () => {
    const { keyward, tick } = setup();
    const a = await keyward.create({ workspaceId: 'ws', name: 'a' });
    const b = await keyward.create({ workspaceId: 'ws', name: 'b', expiresAt: new Date(Date.UTC(2026, 10, 22, 13)) });
    const c = await keyward.create({ workspaceId: 'ws', name: 'c' });
    await keyward.revoke(a.record.id);
    expect(code(await keyward.verify(bearer(a.key)))).toBe('invalid_key');
    expect(code(await keyward.verify(bearer(b.key)))).toBe('ok');
    tick(3_600_000);
    expect(code(await keyward.verify(bearer(b.key)))).toBe('expired_key');
    expect(await keyward.delete(c.record.id)).toBe(true);
    expect(await keyward.delete(c.record.id)).toBe(false);
    expect(code(await keyward.verify(bearer(c.key)))).toBe('invalid_key');
    expect(await keyward.get(c.record.id)).toBeNull();
  });

  it('refuses a test key on a live route', async () => {
    const { keyward, calls } = setup();
    const test = await keyward.create({ workspaceId: 'ws', name: 't', environment: 'test' });
    const live = await keyward.create({ workspaceId: 'ws', name: 'l', environment: 'live' });
    calls.length = 0;
    expect(code(await keyward.verify(bearer(test.key), { environment: 'live' }))).toBe('environment_mismatch');
    expect(calls).toEqual([]);
    expect(code(await keyward.verify(bearer(live.key), { environment: 'live' }))).toBe('ok');
    // Formats without an environment in the key compare the record's environment.
    const tiro = setup({ format: idSecretFormat() }).keyward;
    const staging = await tiro.create({ workspaceId: 'ws', name: 's', environment: 'staging' });
    expect(code(await tiro.verify(bearer(staging.key), { environment: 'production' }))).toBe('environment_mismatch');
    expect(code(await tiro.verify(bearer(staging.key), { environment: 'staging' }))).toBe('ok');
  });

  it('answers 403 insufficient_scope naming the missing scopes', async () => {
    const { keyward } = setup();
    const { key } = await keyward.create({ workspaceId: 'ws', name: 'k', scopes: ['notes:*', 'tokens:read'] });
    expect(code(await keyward.verify(bearer(key), { scopes: ['notes:write', 'tokens:read'] }))).toBe('ok');
    const result = await keyward.verify(bearer(key), { scopes: ['notesx:read', 'tokens:write'] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.status).toBe(403);
    expect(result.error.missingScopes).toEqual(['notesx:read', 'tokens:write']);
    const rendered = keyward.render(result.error);
    expect(rendered.headers['www-authenticate']).toBe('Bearer error="insufficient_scope", scope="notesx:read tokens:write"');
    expect(JSON.parse(rendered.body)).toMatchObject({ status: 403, code: 'insufficient_scope', missing_scopes: ['notesx:read', 'tokens:write'] });
  });

  it('looks id.secret keys up by id and tells the "only the id" mistake apart', async () => {
    const { keyward, calls } = setup({ format: idSecretFormat() });
    const { key, record } = await keyward.create({ workspaceId: 'ws', name: 'tiro' });
    expect(code(await keyward.verify(bearer(key)))).toBe('ok');
    calls.length = 0;
    const idOnly = await keyward.verify(bearer(record.id));
    expect(code(idOnly)).toBe('key_id_only');
    expect(!idOnly.ok && idOnly.error.message).toContain('full key');
    expect(calls).toEqual([]);
    expect(code(await keyward.verify(bearer(`${record.id}.${'Z'.repeat(32)}`)))).toBe('invalid_key');
    expect(calls).toEqual(['findById']);
  });

  it('dispatches several formats on one engine (management keys and issued tokens)', async () => {
    const { keyward } = setup({ format: [prefixedFormat({ prefix: 'tok' }), prefixedFormat({ prefix: 'tkn' })] });
    const mgmt = await keyward.create({ workspaceId: 'ws', name: 'm', scopes: ['*'] });
    const token = await keyward.create({ workspaceId: 'ws', name: 't', format: 'tkn', scopes: ['tokens:read'], expiresIn: '1h' });
    expect(mgmt.key.startsWith('tok_live_')).toBe(true);
    expect(token.key.startsWith('tkn_live_')).toBe(true);
    expect(code(await keyward.verify(bearer(mgmt.key), { scopes: ['tokens:write'] }))).toBe('ok');
    expect(code(await keyward.verify(bearer(token.key), { scopes: ['tokens:write'] }))).toBe('insufficient_scope');
    expect(code(await keyward.verify(bearer(`xyz_live_${'a'.repeat(38)}`)))).toBe('malformed_key');
  });
});

describe('legacy keys', () => {
  const sunset = new Date(Date.UTC(2026, 5, 30));

  async function legacySetup(now: number) {
    let clock = now;
    const owners: Record<string, string[]> = { user_1: ['ws_a', 'ws_b'], user_2: ['ws_c'] };
    const keyward = createKeyward({
      store: memoryStore(),
      format: idSecretFormat(),
      now: () => clock,
      legacy: { deprecatedAt: '2026-01-01T00:00:00Z', link: 'https://docs.example.com/migrate' },
      ownsWorkspace: (owner, ws) => owners[owner]?.includes(ws) ?? false,
    });
    const plain = idSecretFormat().generate();
    const record = await keyward.import({
      id: plain.id!,
      hash: sha(plain.key.slice(plain.key.indexOf('.') + 1)),
      ownerId: 'user_1',
      legacy: true,
      sunsetAt: sunset,
      name: 'personal key',
      hint: plain.key.slice(-4),
    });
    return { keyward, key: plain.key, record, setClock: (t: number) => (clock = t) };
  }

  it('work in every workspace of their owner before the sunset, with Deprecation and Sunset headers', async () => {
    const { keyward, key } = await legacySetup(Date.UTC(2026, 4, 1));
    for (const ws of ['ws_a', 'ws_b']) {
      const result = await keyward.verify(bearer(key), { workspaceId: ws });
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.headers).toEqual({
        deprecation: `@${Date.UTC(2026, 0, 1) / 1000}`,
        sunset: 'Tue, 30 Jun 2026 00:00:00 GMT',
        link: '<https://docs.example.com/migrate>; rel="deprecation"; type="text/html"',
      });
    }
    expect(code(await keyward.verify(bearer(key), { workspaceId: 'ws_c' }))).toBe('invalid_key');
  });

  it('get 401 after the sunset', async () => {
    const { keyward, key, setClock } = await legacySetup(Date.UTC(2026, 4, 1));
    setClock(sunset.getTime());
    const result = await keyward.verify(bearer(key), { workspaceId: 'ws_a' });
    expect(code(result)).toBe('key_sunset');
    expect(!result.ok && result.error.status).toBe(401);
  });

  it('can be listed and revoked but not renamed or rotated', async () => {
    const { keyward, key, record } = await legacySetup(Date.UTC(2026, 4, 1));
    expect((await keyward.list({ ownerId: 'user_1' })).items.map((k) => k.id)).toEqual([record.id]);
    await expect(keyward.rename(record.id, 'new')).rejects.toMatchObject({ code: 'conflict' });
    await expect(keyward.rotate(record.id)).rejects.toMatchObject({ code: 'conflict' });
    await keyward.revoke(record.id);
    expect(code(await keyward.verify(bearer(key), { workspaceId: 'ws_a' }))).toBe('invalid_key');
  });

  it("take the engine's default sunset when they have none", async () => {
    const keyward = createKeyward({
      store: memoryStore(),
      format: tipar,
      legacy: { sunset: '2026-06-30T00:00:00Z' },
      now: () => Date.UTC(2026, 6, 1),
    });
    const { key } = tipar.generate();
    await keyward.import({ hash: sha(key), workspaceId: 'ws', legacy: true, name: 'old', hint: key.slice(-4) });
    expect(code(await keyward.verify(bearer(key)))).toBe('key_sunset');
  });
});

describe('hash versions', () => {
  const pepperV1 = 'v1-pepper-0123456789-0123456789-0123456789';
  const pepperV2 = 'v2-pepper-0123456789-0123456789-0123456789';

  it('upgrades a SHA-256 hash to the newest HMAC pepper on its next successful use', async () => {
    const store = memoryStore();
    const old = createKeyward({ store, format: tipar });
    const { key, record } = await old.create({ workspaceId: 'ws', name: 'k' });
    const v1 = hmacSha256Hasher({ pepper: pepperV1 });
    const upgraded = createKeyward({ store, format: tipar, hash: [v1, sha256Hasher()] });
    expect(code(await upgraded.verify(bearer(key)))).toBe('ok');
    await new Promise((r) => setTimeout(r, 10));
    const stored = store.findById(record.id) as StoredKey;
    expect(stored.hashVersion).toBe('hmac-sha256:v1');
    expect(stored.hash).toBe(v1.hash(key));
    // The SHA-256 hasher can now be dropped: the key still verifies with the pepper alone.
    expect(code(await createKeyward({ store, format: tipar, hash: v1 }).verify(bearer(key)))).toBe('ok');
  });

  it('rotates peppers: keys of the old pepper keep working and move to the new one', async () => {
    const store = memoryStore();
    const v1 = hmacSha256Hasher({ pepper: pepperV1, id: 'v1' });
    const v2 = hmacSha256Hasher({ pepper: pepperV2, id: 'v2' });
    for (const format of [tipar, idSecretFormat()]) {
      const { key, record } = await createKeyward({ store, format, hash: v1 }).create({ workspaceId: 'ws', name: 'k' });
      const both = createKeyward({ store, format, hash: [v2, v1] });
      expect(code(await both.verify(bearer(key)))).toBe('ok');
      await new Promise((r) => setTimeout(r, 10));
      expect((store.findById(record.id) as StoredKey).hashVersion).toBe('hmac-sha256:v2');
      expect(code(await createKeyward({ store, format, hash: v2 }).verify(bearer(key)))).toBe('ok');
      const newKey = await both.create({ workspaceId: 'ws', name: 'new' });
      expect((store.findById(newKey.record.id) as StoredKey).hashVersion).toBe('hmac-sha256:v2');
    }
  });

  it('imports hashes made by another system', async () => {
    const { keyward } = setup();
    const { key } = tipar.generate();
    const record = await keyward.import({ hash: sha(key).toUpperCase(), workspaceId: 'ws', name: 'imported', hint: key.slice(-4) });
    expect(record.hint).toBe(key.slice(-4));
    expect(code(await keyward.verify(bearer(key)))).toBe('ok');
    await expect(keyward.import({ hash: 'nothex', workspaceId: 'ws', name: 'x', hint: 'abcd' })).rejects.toMatchObject({ code: 'invalid_argument' });
    await expect(keyward.import({ hash: sha('x'), hashVersion: 'md5', workspaceId: 'ws', name: 'x', hint: 'abcd' })).rejects.toMatchObject({
      code: 'invalid_argument',
    });
    await expect(keyward.import({ hash: sha('y'), name: 'x', hint: 'abcd' })).rejects.toMatchObject({ code: 'invalid_argument' });
  });
});

describe('rotation', () => {
  it.each([
    ['1h', 3_600_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
  ] as const)('keeps the old key for a grace period of %s, then refuses it', async (grace, ms) => {
    const { keyward, tick } = setup();
    const old = await keyward.create({ workspaceId: 'ws', name: 'k', scopes: ['a:b'] });
    const next = await keyward.rotate(old.record.id, { gracePeriod: grace });
    expect(next.key).not.toBe(old.key);
    tick(ms - 1);
    expect(code(await keyward.verify(bearer(old.key)))).toBe('ok');
    tick(1);
    expect(code(await keyward.verify(bearer(old.key)))).toBe('expired_key');
    expect(code(await keyward.verify(bearer(next.key), { scopes: ['a:b'] }))).toBe('ok');
  });

  it('honours the workspace guard on lifecycle calls', async () => {
    const { keyward } = setup();
    const { record } = await keyward.create({ workspaceId: 'ws_a', name: 'k' });
    await expect(keyward.revoke(record.id, { workspaceId: 'ws_b' })).rejects.toMatchObject({ code: 'not_found', status: 404 });
    await expect(keyward.rotate(record.id, { workspaceId: 'ws_b' })).rejects.toMatchObject({ code: 'not_found' });
    expect(await keyward.get(record.id, { workspaceId: 'ws_b' })).toBeNull();
    expect(await keyward.delete(record.id, { workspaceId: 'ws_b' })).toBe(false);
    expect((await keyward.get(record.id, { workspaceId: 'ws_a' }))?.id).toBe(record.id);
  });

  it('refuses to rotate a revoked key or to rotate twice', async () => {
    const { keyward } = setup();
    const a = await keyward.create({ workspaceId: 'ws', name: 'a' });
    await keyward.rotate(a.record.id, { gracePeriod: '1h' });
    await expect(keyward.rotate(a.record.id)).rejects.toMatchObject({ code: 'conflict' });
    const b = await keyward.create({ workspaceId: 'ws', name: 'b' });
    await keyward.revoke(b.record.id);
    await expect(keyward.rotate(b.record.id)).rejects.toMatchObject({ code: 'conflict' });
    await expect(keyward.rotate(b.record.id, { gracePeriod: '-1h' as never })).rejects.toThrow(RangeError);
  });
});

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

describe('verifyNow', () => {
  it('gives the result itself when every step answered at once, else a promise; one store read either way', async () => {
    const store = memoryStore();
    const keyward = createKeyward({ store, format: prefixedFormat({ prefix: 'tipar' }) });
    const { key, record } = await keyward.create({ workspaceId: 'ws', name: 'k', scopes: ['a:read'] });
    const now = keyward.verifyNow({ authorization: `Bearer ${key}` });
    expect('then' in now).toBe(false);
    expect(now).toMatchObject({ ok: true, key: { id: record.id } });
    expect(keyward.verifyNow({ authorization: 'Basic abc' })).toMatchObject({ ok: false, error: { code: 'malformed_header' } });

    let reads = 0;
    const remote = createKeyward({
      store: {
        ...store,
        local: false,
        findByHash: (h: string) => {
          reads++;
          return Promise.resolve(store.findByHash(h));
        },
      },
      format: prefixedFormat({ prefix: 'tipar' }),
      cache: false,
    });
    const later = remote.verifyNow({ authorization: `Bearer ${key}` }, { scopes: ['a:write'] });
    expect('then' in later).toBe(true);
    expect(await later).toMatchObject({ ok: false, error: { code: 'insufficient_scope' } });
    expect(reads).toBe(1);
  });

  it('with policies, answers with a promise that consumes the counters once', async () => {
    const keyward = createKeyward({ store: memoryStore(), policies: { quota: { limit: 1, period: 'month' } } });
    const { key } = await keyward.create({ workspaceId: 'ws', name: 'k' });
    const first = keyward.verifyNow({ authorization: `Bearer ${key}` });
    expect('then' in first).toBe(true);
    expect((await first).ok).toBe(true);
    expect(await keyward.verifyNow({ authorization: `Bearer ${key}` })).toMatchObject({ ok: false, error: { code: 'quota_exceeded' } });
  });
});
