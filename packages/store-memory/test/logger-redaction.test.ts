// The redaction guarantee of the `logger` option: the shared conformance suites, run with a logger
// that records any key, digest, Authorization header or pepper a line holds, and an engine-level
// scenario that makes every kind of notice; at the end, no line may hold anything secret.
import { type KeyStore, createKeyward, hmacSha256Hasher, idSecretFormat, prefixedFormat, sha256Hasher } from '@keyward/core';
import { describeAuditStore, describeKeyStore, describeUsageStore, strictLogger } from '@keyward/core/testing';
import { type MemoryStore, memoryStore } from '@keyward/store-memory';
import { afterAll, describe, expect, it } from 'vitest';

const PEPPER = `pepper-${crypto.randomUUID()}-${crypto.randomUUID()}`;
const formats = [prefixedFormat({ prefix: 'kw' }), idSecretFormat(), prefixedFormat({ prefix: 'tst' })];
const logger = strictLogger({ formats, secrets: [PEPPER] });
const keyward = { logger };

afterAll(() => {
  // Checked after every suite of this file: not one line held a secret.
  expect(logger.violations).toEqual([]);
});

describeKeyStore({ name: 'memory, strict logger', createStore: () => memoryStore(), dumpRaw: (store) => store.dump(), keyward });
describeUsageStore({ name: 'memory, strict logger', createStore: () => memoryStore(), keyward });
describeAuditStore({ name: 'memory, strict logger', createStore: () => memoryStore(), dumpRaw: (store: MemoryStore) => store.dumpAudit(), keyward });

describe('every notice, through a strict logger', () => {
  const format = prefixedFormat({ prefix: 'tst' });
  const hmac = hmacSha256Hasher({ pepper: PEPPER });
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

  it('store unavailable, then recovered: once each, with the error class and a redacted message', async () => {
    const store = memoryStore();
    let down = true;
    const flaky: KeyStore = Object.assign(Object.create(store) as KeyStore, {
      findByHash: (hash: string) => {
        // A store whose error quotes what it was asked (as a database's may).
        if (down) throw Object.assign(new Error(`no route to the shard of ${hash}`), { code: 'EHOSTUNREACH' });
        return store.findByHash(hash);
      },
    });
    const engine = createKeyward({ store: flaky, format, hash: hmac, logger });
    const { key } = await engine.create({ workspaceId: 'ws_a', name: 'prod' });
    const before = logger.lines.length;
    expect((await engine.verify(bearer(key))).ok).toBe(false);
    expect((await engine.verify(bearer(key))).ok).toBe(false);
    down = false;
    expect((await engine.verify(bearer(key))).ok).toBe(true);
    const lines = logger.lines.slice(before);
    expect(lines.map((l) => [l.level, l.fields.event])).toEqual([
      ['error', 'keyward.store.unavailable'],
      ['info', 'keyward.store.recovered'],
    ]);
    expect(lines[0]!.fields).toMatchObject({ system: 'memory', operation: 'findByHash', errorType: 'EHOSTUNREACH' });
    expect(lines[0]!.fields.error).toBe('no route to the shard of [redacted]');
  });

  it('hash upgraded, legacy key used (once per hour), misconfigurations (once each)', async () => {
    const store = memoryStore();
    const old = createKeyward({ store, format, hash: sha256Hasher() });
    const upgraded = await old.create({ workspaceId: 'ws_a', name: 'made with sha256' });
    const before = logger.lines.length;
    const mine = () => logger.lines.slice(before);
    const engine = createKeyward({ store, format, hash: [hmac, sha256Hasher()], logger, legacy: { sunset: '2099-01-01' } });
    expect((await engine.verify(bearer(upgraded.key))).ok).toBe(true);
    await expect.poll(() => mine().some((l) => l.fields.event === 'keyward.hash.upgraded')).toBe(true);
    const legacyKey = format.generate().key;
    await engine.import({
      ownerId: 'usr_ada',
      legacy: true,
      name: 'personal',
      hint: legacyKey.slice(-4),
      hash: hmac.hash(legacyKey),
      hashVersion: hmac.version,
    });
    for (let i = 0; i < 3; i++) expect((await engine.verify(bearer(legacyKey))).ok).toBe(true);
    // A legacy key of an owner on a workspace route, and no ownsWorkspace: told as a misconfiguration.
    expect((await engine.verify(bearer(legacyKey), { workspaceId: 'ws_a' })).ok).toBe(false);
    expect((await engine.verify(bearer(legacyKey), { workspaceId: 'ws_b' })).ok).toBe(false);
    // A stored key whose hasher this engine does not have (removed too early).
    const byId = createKeyward({ store, format: idSecretFormat(), logger });
    await byId.import({ id: 'abc123', workspaceId: 'ws_a', name: 'x', hint: 'abcd', hash: 'ab'.repeat(32), hashVersion: 'sha256' });
    await store.update('abc123', { hashVersion: 'hmac-sha256:v2', updatedAt: new Date() });
    expect((await byId.verify(bearer(`abc123.${'s'.repeat(32)}`))).ok).toBe(false);
    const upgrades = mine().filter((l) => l.fields.event === 'keyward.hash.upgraded');
    expect(upgrades.map((l) => l.fields)).toEqual([{ event: 'keyward.hash.upgraded', keyId: upgraded.record.id, from: 'sha256', to: hmac.version }]);
    const legacy = mine().filter((l) => l.fields.event === 'keyward.legacy_key.used');
    expect(legacy).toHaveLength(1);
    expect(legacy[0]!.fields).toMatchObject({ ownerId: 'usr_ada', workspaceId: null, sunsetAt: '2099-01-01T00:00:00.000Z' });
    const problems = mine()
      .filter((l) => l.fields.event === 'keyward.misconfiguration')
      .map((l) => l.fields.problem);
    expect(problems).toEqual(['owns_workspace_missing', 'unknown_hash_version']);
  });

  it('the lines so far are clean, and there are lines', () => {
    expect(logger.lines.length).toBeGreaterThan(5);
    expect(logger.violations).toEqual([]);
  });
});
