import { hmacSha256Hasher, prefixedFormat } from '@keyward/core';
import { expect, it } from 'vitest';
import type { Fresh } from './api-suite.js';
import { importLegacy } from './suite-keys.js';

export function reportTests(fresh: Fresh): void {
  it('keeps every change in the audit log with its actor, paged and filtered by type, key and time', async () => {
    const h = await fresh();
    const keys = `/workspaces/${h.ws.a}/keys`;
    const a = (await h.call('POST', keys, { as: 'adam', body: { name: 'a' } })).body.record;
    h.clock += 1000;
    const b = (await h.call('POST', keys, { body: { name: 'b' } })).body.record;
    const middle = h.clock;
    h.clock += 1000;
    await h.call('PATCH', `${keys}/${a.id}`, { as: 'adam', body: { name: 'a2', scopes: ['admin'] } });
    h.clock += 1000;
    await h.call('POST', `${keys}/${b.id}/rotate`, { body: { gracePeriod: '1h' } });
    h.clock += 1000;
    await h.call('POST', `${keys}/${a.id}/revoke`);
    h.clock += 1000;
    await h.call('DELETE', `${keys}/${a.id}`, { as: 'adam' });
    await h.keyward.flush();
    const audit = `/workspaces/${h.ws.a}/audit`;
    const all = await h.call('GET', audit);
    expect(all.body.items.map((e: { type: string; actor: { name: string } }) => `${e.type} by ${e.actor.name}`)).toEqual([
      'key.deleted by Adam Admin',
      'key.revoked by Olivia Owner',
      'key.rotated by Olivia Owner',
      'key.updated by Adam Admin',
      'key.renamed by Adam Admin',
      'key.created by Olivia Owner',
      'key.created by Adam Admin',
    ]);
    expect(all.body.items[0]).toMatchObject({ keyId: a.id, keyHint: a.hint, actor: { id: 'user_adam', name: 'Adam Admin' }, count: 1 });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await h.call('GET', `${audit}?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      seen.push(...page.body.items.map((e: { id: string }) => e.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.body.items.map((e: { id: string }) => e.id));
    const types = await h.call('GET', `${audit}?type=key.created,key.deleted&type=key.revoked`);
    expect(types.body.items.map((e: { type: string }) => e.type)).toEqual(['key.deleted', 'key.revoked', 'key.created', 'key.created']);
    const ofB = await h.call('GET', `${audit}?keyId=${b.id}`);
    expect(ofB.body.items.map((e: { type: string }) => e.type)).toEqual(['key.rotated', 'key.created']);
    const from = new Date(middle).toISOString();
    const to = new Date(middle + 1500).toISOString();
    const ranged = await h.call('GET', `${audit}?from=${from}&to=${to}`);
    expect(ranged.body.items.map((e: { type: string }) => e.type)).toEqual(['key.updated', 'key.renamed', 'key.created']);
    // Another workspace's log stays its own.
    expect((await h.call('GET', `/workspaces/${h.ws.b}/audit`, { as: 'bob' })).body.items).toEqual([]);
  });

  it('counts requests per key per day', async () => {
    const h = await fresh();
    const keys = `/workspaces/${h.ws.a}/keys`;
    const a = (await h.call('POST', keys, { body: { name: 'a' } })).body;
    const b = (await h.call('POST', keys, { body: { name: 'b' } })).body;
    const verify = async (key: string, n: number) => {
      for (let i = 0; i < n; i++) expect((await h.keyward.verify({ authorization: `Bearer ${key}` })).ok).toBe(true);
    };
    const day1 = new Date(h.clock).toISOString().slice(0, 10);
    await verify(a.key, 3);
    await verify(b.key, 1);
    h.clock += 86_400_000;
    const day2 = new Date(h.clock).toISOString().slice(0, 10);
    await verify(a.key, 2);
    await h.keyward.flush();
    const usage = await h.call('GET', `/workspaces/${h.ws.a}/usage?from=${day1}&to=${day2}`);
    expect(usage.body).toMatchObject({
      from: day1,
      to: day2,
      total: 6,
      days: [
        { day: day1, count: 4 },
        { day: day2, count: 2 },
      ],
      keys: [
        { keyId: a.record.id, count: 5 },
        { keyId: b.record.id, count: 1 },
      ],
    });
    expect(usage.body.byKeyAndDay).toEqual(
      expect.arrayContaining([
        { keyId: a.record.id, day: day1, count: 3 },
        { keyId: b.record.id, day: day1, count: 1 },
        { keyId: a.record.id, day: day2, count: 2 },
      ]),
    );
    expect(usage.body.byKeyAndDay).toHaveLength(3);
    const one = await h.call('GET', `/workspaces/${h.ws.a}/usage?keyId=${b.record.id}`);
    expect(one.body).toMatchObject({ to: day2, total: 1, keys: [{ keyId: b.record.id, count: 1 }] });
    expect(one.body.days).toHaveLength(30);
  });

  it('never shows a full key, a hash or the pepper: in lists, audit entries, errors or reports, over a whole session', async () => {
    const pepper = `pepper-${crypto.randomUUID()}-${crypto.randomUUID()}`;
    const hasher = hmacSha256Hasher({ pepper });
    const h = await fresh({ engine: { hash: hasher } });
    const keys = `/workspaces/${h.ws.a}/keys`;
    const plaintexts: string[] = [];
    const ids: string[] = [];
    for (const name of ['one', 'two', 'three']) {
      const created = (await h.call('POST', keys, { body: { name, scopes: ['notes:read'] } })).body;
      plaintexts.push(created.key);
      ids.push(created.record.id);
    }
    const rotated = (await h.call('POST', `${keys}/${ids[0]}/rotate`, { body: { gracePeriod: '1h' } })).body;
    plaintexts.push(rotated.key);
    for (const key of plaintexts) await h.keyward.verify({ authorization: `Bearer ${key}` }, { request: { userAgent: `client ${key}` } });
    await h.keyward.verify({ authorization: `Bearer ${plaintexts[1]}` }, { scopes: ['admin'] });
    const legacy = await importLegacy(h, 'user_olivia');
    plaintexts.push(legacy.key);
    await h.keyward.flush();
    // Everything a page would read, and the usual mistakes.
    await h.call('GET', '/me');
    await h.call('GET', `/workspaces/${h.ws.a}`);
    await h.call('GET', keys);
    for (const id of ids) await h.call('GET', `${keys}/${id}`);
    await h.call('GET', `/workspaces/${h.ws.a}/audit`);
    await h.call('GET', `/workspaces/${h.ws.a}/usage`);
    await h.call('GET', '/legacy-keys');
    await h.call('PATCH', `${keys}/${ids[1]}`, { body: { name: `leaked ${plaintexts[2]}` } });
    await h.call('POST', keys, { raw: `{"name": "${plaintexts[2]}` });
    await h.call('POST', `${keys}/${ids[0]}/rotate`, { body: {} });
    await h.call('GET', `${keys}/${plaintexts[1]}`);
    await h.call('POST', `${keys}/${ids[2]}/revoke`);
    await h.call('DELETE', `${keys}/${ids[2]}`);
    await h.call('POST', '/legacy-keys', { body: {} });
    await h.call('POST', `/legacy-keys/${legacy.id}/revoke`);
    await h.keyward.flush();
    await h.call('GET', `/workspaces/${h.ws.a}/audit?limit=1000`);
    const format = prefixedFormat({ prefix: 'acme' });
    const secrets = plaintexts.map((k) => (format.parse(k) as { secret: string }).secret);
    const hashes = secrets.map((s) => hasher.hash(s));
    const everything = h.answers.map((a) => `${a.status} ${[...a.headers].join(' ')} ${a.text}`);
    const audit = JSON.stringify((await h.keyward.auditLog({ workspaceId: h.ws.a, limit: 1000 })).items);
    const logs = h.reported.map((e) => `${e.message} ${e.stack}`).join('\n');
    // Each created or rotated key is in exactly one answer: its own creation (legacy keys in none).
    for (const [i, key] of plaintexts.entries()) {
      expect(everything.filter((text) => text.includes(key)).length, `key ${i}`).toBe(i < 4 ? 1 : 0);
      expect(audit.includes(key) || logs.includes(key)).toBe(false);
    }
    for (const secret of [...hashes, pepper]) {
      for (const text of [...everything, audit, logs]) expect(text.includes(secret), secret.slice(0, 12)).toBe(false);
    }
    expect(JSON.stringify(h.answers.filter((a) => a.path.endsWith('/audit?limit=1000'))[0]?.body)).toContain('verify.failed');
  });
}
