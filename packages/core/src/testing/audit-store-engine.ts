import { describe, expect, it } from 'vitest';
import { AUDIT_EVENT_TYPES } from '../audit/filters.js';
import type { AuditEvent, AuditEventType, AuditStore } from '../audit/types.js';
import { createKeyward } from '../engine/keyward.js';
import { prefixedFormat } from '../format/prefixed.js';
import type { KeyStore } from '../store/types.js';
import { describeBadAuditInput } from './bad-input.js';
import type { SuiteEngineOptions } from './engine-options.js';
import { expectCode, unique } from './suite-helpers.js';

const ALL_TYPES = AUDIT_EVENT_TYPES;

/**
 * The audit store contract through the engine: `auditLog`'s filters, every event type stored with
 * key id, hint, actor and request (never a key or a hash), and a flood of failed verifies sampled
 * into a few entries. Run by `describeAuditStore`.
 */
export function describeAuditThroughEngine<S extends KeyStore & AuditStore>(
  fresh: () => Promise<S>,
  dumpRaw: (store: S) => Promise<string> | string,
  extra: SuiteEngineOptions = {},
): void {
  describe('through the engine', () => {
    describeBadAuditInput(async () => ({ keyward: createKeyward({ store: await fresh(), audit: { flushInterval: '1h' } }) }));

    it('engine: auditLog filters by types and key, and refuses unknown types', async () => {
      const store = await fresh();
      const keyward = createKeyward({ ...extra, store, audit: { flushInterval: '1h' } });
      const ws = unique('ws');
      const a = await keyward.create({ workspaceId: ws, name: 'a', actor: 'user:alice' });
      const b = await keyward.create({ workspaceId: ws, name: 'b' });
      await keyward.rename(a.record.id, 'a2');
      await keyward.revoke(b.record.id, { actor: 'user:alice' });
      await keyward.flush();
      const types = (page: { items: AuditEvent[] }) => page.items.map((e) => `${e.type} ${e.keyId === a.record.id ? 'a' : 'b'}`);
      expect(types(await keyward.auditLog({ workspaceId: ws, keyId: a.record.id }))).toEqual(['key.renamed a', 'key.created a']);
      expect(types(await keyward.auditLog({ workspaceId: ws, types: ['key.created'] }))).toEqual(['key.created b', 'key.created a']);
      expect(types(await keyward.auditLog({ workspaceId: ws, types: ['key.revoked', 'key.renamed'], keyId: b.record.id }))).toEqual([
        'key.revoked b',
      ]);
      await expectCode(keyward.auditLog({ workspaceId: ws, types: ['key.exploded' as AuditEventType] }), 'invalid_argument');
      await expectCode(keyward.auditLog({ workspaceId: ws, types: [] }), 'invalid_argument');
      await expectCode(keyward.auditLog({ workspaceId: ws, keyId: '' }), 'invalid_argument');
      await keyward.close();
    });

    it('engine: stores every event type with key id, hint, actor and request, never a key or a hash', async () => {
      const store = await fresh();
      const format = prefixedFormat({ prefix: 'kw' });
      let clock = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
      const exported: AuditEvent[] = [];
      const errors: unknown[] = [];
      const keyward = createKeyward({
        ...extra,
        store,
        format,
        now: () => clock,
        audit: { flushInterval: '1h', sampleWindow: '1m', onEvent: (e) => exported.push(e), onError: (e) => errors.push(e) },
      });
      const ws = unique('ws');
      const request = { ip: '203.0.113.9', userAgent: 'curl/8.5' };
      const secrets: string[] = [];
      const a = await keyward.create({ workspaceId: ws, name: 'a', scopes: ['notes:read'], actor: 'user:alice' });
      const b = await keyward.create({ workspaceId: ws, name: 'b' });
      const expired = await keyward.create({ workspaceId: ws, name: 'short', expiresAt: new Date(clock + 1000) });
      secrets.push(a.key, b.key, expired.key);
      await keyward.rename(a.record.id, 'a renamed', { actor: 'user:alice' });
      await keyward.update(a.record.id, { scopes: ['notes:read', 'notes:write'] }, { actor: 'user:bob' });
      // A legacy key, imported from its hash (a dummy digest: it is never verified).
      const legacyKey = format.generate().key;
      const legacySecret = format.parse(legacyKey);
      if ('error' in legacySecret) throw new Error('generated key does not parse');
      secrets.push(legacyKey);
      const legacyHash = keyward.hashers[0]!.hash(legacySecret.secret);
      const legacy = await keyward.import({
        hash: legacyHash,
        workspaceId: ws,
        name: 'legacy',
        hint: legacyKey.slice(-4),
        legacy: true,
        sunsetAt: new Date(clock + 3_600_000),
        actor: 'migration',
      });
      const sunsetKey = format.generate().key;
      const sunsetParsed = format.parse(sunsetKey);
      if ('error' in sunsetParsed) throw new Error('generated key does not parse');
      secrets.push(sunsetKey);
      const sunsetHash = keyward.hashers[0]!.hash(sunsetParsed.secret);
      await keyward.import({
        hash: sunsetHash,
        workspaceId: ws,
        name: 'gone',
        hint: sunsetKey.slice(-4),
        legacy: true,
        sunsetAt: new Date(clock - 1000),
      });
      const rotated = await keyward.rotate(a.record.id, { actor: 'user:alice' });
      secrets.push(rotated.key);
      await keyward.revoke(b.record.id, { actor: 'user:carol' });
      await keyward.delete(b.record.id, { actor: 'user:carol' });
      clock += 2000;
      const verify = (key: string, extra: object = {}) => keyward.verify({ authorization: `Bearer ${key}` }, { workspaceId: ws, request, ...extra });
      expect((await verify(expired.key)).ok).toBe(false);
      expect((await verify(a.key)).ok).toBe(false);
      expect((await verify(legacyKey)).ok).toBe(true);
      expect((await verify(sunsetKey)).ok).toBe(false);
      const unknown = format.generate().key;
      secrets.push(unknown);
      expect((await verify(unknown, { request: { ip: '198.51.100.7', userAgent: `bot ${unknown}` } })).ok).toBe(false);
      expect((await verify(rotated.key, { scopes: ['admin'] })).ok).toBe(false);
      // Expiry warnings and leak reports.
      const soon = await keyward.create({ workspaceId: ws, name: 'soon', expiresAt: new Date(clock + 12 * 3_600_000) });
      secrets.push(soon.key);
      expect(await keyward.sweepExpiring({ workspaceId: ws })).toEqual({ keys: 1, warned: 1 });
      const leaked = await keyward.create({ workspaceId: ws, name: 'leaked' });
      secrets.push(leaked.key);
      const where = { url: 'https://github.com/octo/repo/blob/main/.env', source: 'content', type: 'kw_api_key' };
      expect(await keyward.reportLeak({ token: leaked.key, ...where })).toMatchObject({ status: 'known', action: 'revoked', first: true });
      await keyward.close();

      expect(errors).toEqual([]);
      const stored: AuditEvent[] = [];
      let cursor: string | undefined;
      do {
        const page = await keyward.auditLog({ workspaceId: ws, limit: 7, ...(cursor ? { cursor } : {}) });
        stored.push(...page.items);
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      // onEvent saw each event once, with the ids the store keeps.
      expect(new Set(exported.map((e) => e.id)).size).toBe(exported.length);
      expect(stored.map((e) => e.id).sort()).toEqual(exported.map((e) => e.id).sort());
      const types = new Set(stored.map((e) => e.type));
      for (const type of ALL_TYPES) if (type !== 'verify.quota_exceeded') expect(types, type).toContain(type);
      const find = (type: AuditEventType, keyId?: string) => stored.find((e) => e.type === type && (keyId === undefined || e.keyId === keyId));
      expect(find('key.created', a.record.id)).toMatchObject({ actor: 'user:alice', keyHint: a.key.slice(-4), workspaceId: ws, count: 1 });
      expect(find('key.renamed')).toMatchObject({ keyId: a.record.id, details: { name: 'a renamed', previousName: 'a' } });
      expect(find('key.updated')).toMatchObject({ actor: 'user:bob', details: { fields: ['scopes'] } });
      expect(find('key.rotated')).toMatchObject({
        keyId: a.record.id,
        details: { successorId: rotated.record.id, successorHint: rotated.key.slice(-4) },
      });
      expect(find('key.revoked', b.record.id)).toMatchObject({ keyId: b.record.id, actor: 'user:carol' });
      expect(find('key.deleted')).toMatchObject({ keyId: b.record.id, keyHint: b.key.slice(-4) });
      expect(find('key.imported', legacy.id)).toMatchObject({ actor: 'migration', details: { legacy: true } });
      expect(find('verify.expired_key')).toMatchObject({ keyId: expired.record.id, keyHint: expired.key.slice(-4), code: 'expired_key', ...request });
      expect(find('verify.revoked_key')).toMatchObject({ keyId: a.record.id, code: 'invalid_key', reason: 'revoked', keyHint: a.key.slice(-4) });
      expect(find('verify.legacy_key')).toMatchObject({ workspaceId: ws, keyHint: legacyKey.slice(-4), ip: request.ip });
      expect(find('verify.legacy_sunset')).toMatchObject({ code: 'key_sunset' });
      expect(find('key.expiring')).toMatchObject({ keyId: soon.record.id, keyHint: soon.key.slice(-4), details: { threshold: 86_400_000 } });
      expect(find('key.leaked')).toMatchObject({
        keyId: leaked.record.id,
        actor: 'leak-report',
        details: { url: where.url, source: 'content', tokenType: 'kw_api_key', action: 'revoked', wasActive: true },
      });
      const unknownEvent = stored.find((e) => e.type === 'verify.failed' && e.reason === 'unknown');
      expect(unknownEvent).toMatchObject({ keyId: null, keyHint: null, code: 'invalid_key', ip: '198.51.100.7', workspaceId: ws });
      expect(unknownEvent!.userAgent).toMatch(/^bot kw_/);
      expect(find('verify.failed', rotated.record.id)).toMatchObject({ code: 'insufficient_scope', details: { missingScopes: ['admin'] } });

      const raw = await dumpRaw(store);
      expect(raw).toContain(a.record.id);
      const parsedSecrets = secrets.map((k) => format.parse(k)).flatMap((p) => ('error' in p ? [] : [p.secret]));
      const hashes = [legacyHash, sunsetHash, ...secrets.map((k) => keyward.hashers[0]!.hash((format.parse(k) as { secret: string }).secret))];
      for (const secret of [...secrets, ...parsedSecrets, ...hashes])
        expect(raw.includes(secret), 'a key, secret or hash in the audit log').toBe(false);
    });

    it('engine: samples a flood of failed verifies into a few entries whose counts add up', async () => {
      const store = await fresh();
      const format = prefixedFormat({ prefix: 'kw' });
      let clock = Math.floor(Date.now() / 1000) * 1000 - 3_600_000;
      const keyward = createKeyward({ ...extra, store, format, now: () => clock, audit: { flushInterval: '1h', sampleWindow: '1m' } });
      const ws = unique('ws_flood');
      const revoked = await keyward.create({ workspaceId: ws, name: 'leaked' });
      await keyward.revoke(revoked.record.id);
      const unknown = Array.from({ length: 50 }, () => format.generate().key);
      for (let round = 0; round < 40; round++) {
        await Promise.all([
          ...unknown.map((k) => keyward.verify({ authorization: `Bearer ${k}` }, { workspaceId: ws })),
          ...Array.from({ length: 10 }, () => keyward.verify({ authorization: `Bearer ${revoked.key}` }, { workspaceId: ws })),
        ]);
        clock += 2000;
      }
      // The window of the first 60 s ended during the loop; close() ends the second.
      await keyward.close();
      const page = await keyward.auditLog({ workspaceId: ws, limit: 100 });
      const failed = page.items.filter((e) => e.type === 'verify.failed');
      const used = page.items.filter((e) => e.type === 'verify.revoked_key');
      expect(failed.length).toBeLessThanOrEqual(4);
      expect(used.length).toBeLessThanOrEqual(4);
      expect(failed.reduce((n, e) => n + e.count, 0)).toBe(2000);
      expect(used.reduce((n, e) => n + e.count, 0)).toBe(400);
      expect(page.items.length).toBeLessThanOrEqual(10);
    });
  });
}
