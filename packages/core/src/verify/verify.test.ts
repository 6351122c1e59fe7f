import { describe, expect, it } from 'vitest';
// The reference store, by path: a package dependency would make core and store-memory a cycle.
import { memoryStore } from '@keyward/store-memory';
import { idSecretFormat } from '../format/id-secret.js';
import { prefixedFormat } from '../format/prefixed.js';
import { createKeyward } from '../engine/keyward.js';
import { bearer, code, countingStore, setup, sha, tipar } from '../engine/test-support.js';

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
