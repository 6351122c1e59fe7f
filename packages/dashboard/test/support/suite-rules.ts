import { expect, it } from 'vitest';
import type { Fresh } from './api-suite.js';
import { type Answer, type FullStore, ORIGIN } from './harness.js';

/** Status, body and headers of an answer, for byte-for-byte comparisons. */
const exact = (a: Answer) => ({ status: a.status, text: a.text, headers: [...a.headers].sort() });

/** A store whose every call fails (like a refused connection) or hangs while `mode` says so. */
function switchable(store: FullStore, state: { mode: 'ok' | 'fail' | 'hang' }): FullStore {
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (state.mode === 'fail') return Promise.reject(new Error(`connect ECONNREFUSED 127.0.0.1:5432 while reading ${'a'.repeat(64)}`));
        if (state.mode === 'hang') return new Promise(() => {});
        return value.apply(target, args);
      };
    },
  });
}

export function ruleTests(fresh: Fresh): void {
  it('answers a key id of another workspace exactly like a key that does not exist, on every key route', async () => {
    const h = await fresh();
    const theirs = (await h.call('POST', `/workspaces/${h.ws.b}/keys`, { as: 'bob', body: { name: 'bob key' } })).body;
    const before = await h.snapshot();
    const routes: [string, string, unknown?][] = [
      ['GET', ''],
      ['PATCH', '', { name: 'hijacked' }],
      ['DELETE', ''],
      ['POST', '/rotate', {}],
      ['POST', '/revoke', {}],
    ];
    for (const [method, suffix, body] of routes) {
      const other = await h.call(method, `/workspaces/${h.ws.a}/keys/${theirs.record.id}${suffix}`, { body });
      const missing = await h.call(method, `/workspaces/${h.ws.a}/keys/key_${'z'.repeat(20)}${suffix}`, { body });
      expect(other.status, `${method} ${suffix}`).toBe(404);
      expect(exact(other), `${method} ${suffix}`).toEqual(exact(missing));
    }
    const usage = await h.call('GET', `/workspaces/${h.ws.a}/usage?keyId=${theirs.record.id}`);
    expect(exact(usage)).toEqual(exact(await h.call('GET', `/workspaces/${h.ws.a}/usage?keyId=key_nope`)));
    expect(usage.status).toBe(404);
    expect(await h.snapshot()).toBe(before);
    expect((await h.keyward.verify({ authorization: `Bearer ${theirs.key}` })).ok).toBe(true);
  });

  it('answers a workspace the principal has no role in exactly like one that does not exist (404, not 403)', async () => {
    const h = await fresh();
    await h.call('POST', `/workspaces/${h.ws.b}/keys`, { as: 'bob', body: { name: 'bob key' } });
    const paths = ['', '/keys', '/keys/key_1', '/audit', '/usage'];
    for (const path of paths) {
      const foreign = await h.call('GET', `/workspaces/${h.ws.b}${path}`);
      const none = await h.call('GET', `/workspaces/ws_does_not_exist${path}`);
      const invalid = await h.call('GET', `/workspaces/${encodeURIComponent('no such/workspace')}${path}`);
      expect(foreign.status, path).toBe(404);
      expect(exact(foreign)).toEqual(exact(none));
      expect(exact(invalid)).toEqual(exact(none));
    }
    const post = await h.call('POST', `/workspaces/${h.ws.b}/keys`, { body: { name: 'intruder' } });
    expect(exact(post)).toEqual(exact(await h.call('POST', '/workspaces/ws_does_not_exist/keys', { body: { name: 'intruder' } })));
    expect((await h.keyward.list({ workspaceId: h.ws.b })).items.map((k) => k.name)).toEqual(['bob key']);
  });

  it('lets members read keys and usage but change nothing and not read the audit log; the table can be changed', async () => {
    const h = await fresh();
    const key = (await h.call('POST', `/workspaces/${h.ws.a}/keys`, { body: { name: 'shared' } })).body.record;
    const before = await h.snapshot();
    expect((await h.call('GET', `/workspaces/${h.ws.a}/keys`, { as: 'mia' })).status).toBe(200);
    expect((await h.call('GET', `/workspaces/${h.ws.a}/keys/${key.id}`, { as: 'mia' })).status).toBe(200);
    expect((await h.call('GET', `/workspaces/${h.ws.a}/usage`, { as: 'mia' })).status).toBe(200);
    const writes: [string, string, unknown?][] = [
      ['POST', '/keys', { name: 'sneaky' }],
      ['PATCH', `/keys/${key.id}`, { name: 'x' }],
      ['DELETE', `/keys/${key.id}`],
      ['POST', `/keys/${key.id}/rotate`, {}],
      ['POST', `/keys/${key.id}/revoke`, {}],
      ['GET', '/audit'],
    ];
    for (const [method, path, body] of writes) {
      const answer = await h.call(method, `/workspaces/${h.ws.a}${path}`, { as: 'mia', body });
      expect(answer.status, `${method} ${path}`).toBe(403);
      expect(answer.body).toMatchObject({ code: 'forbidden' });
      expect(answer.body.detail).toMatch(/your role in this workspace \(member\) does not allow keys:\w+|audit:read/);
    }
    expect(await h.snapshot()).toBe(before);
    const custom = await fresh({ dashboard: { permissions: { member: ['keys:read', 'audit:read'], admin: ['keys:read'] } } });
    expect((await custom.call('GET', `/workspaces/${custom.ws.a}/audit`, { as: 'mia' })).status).toBe(200);
    expect((await custom.call('GET', `/workspaces/${custom.ws.a}/usage`, { as: 'mia' })).status).toBe(403);
    expect((await custom.call('POST', `/workspaces/${custom.ws.a}/keys`, { as: 'adam', body: { name: 'no' } })).status).toBe(403);
    expect((await custom.call('POST', `/workspaces/${custom.ws.a}/keys`, { as: 'olivia', body: { name: 'yes' } })).status).toBe(201);
  });

  it('refuses cross-site changes from a browser, and serves same-origin pages and clients that are not browsers', async () => {
    const h = await fresh();
    const before = await h.snapshot();
    const create = (headers: Record<string, string>, raw = '{"name":"csrf"}') => h.call('POST', `/workspaces/${h.ws.a}/keys`, { raw, headers });
    const refusals: [Record<string, string>, number][] = [
      [{ 'content-type': 'application/json', 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' }, 403],
      [{ 'content-type': 'application/json', 'sec-fetch-site': 'same-site', origin: 'https://sub.dashboard.test' }, 403],
      [{ 'content-type': 'application/json', 'sec-fetch-site': 'none' }, 403],
      [{ 'content-type': 'application/json', origin: 'https://evil.example' }, 403],
      [{ 'content-type': 'application/json', origin: 'null' }, 403],
      // What an HTML form or a "simple" cross-origin fetch can send: never accepted.
      [{ 'content-type': 'text/plain' }, 415],
      [{ 'content-type': 'application/x-www-form-urlencoded' }, 415],
      [{ 'content-type': 'multipart/form-data; boundary=x' }, 415],
      [{ 'content-type': '' }, 415],
    ];
    for (const [headers, status] of refusals) {
      const answer = await create(headers);
      expect(answer.status, JSON.stringify(headers)).toBe(status);
      expect(answer.body.code).toBe(status === 403 ? 'csrf_rejected' : 'unsupported_media_type');
    }
    const id = (await h.keyward.create({ workspaceId: h.ws.a, name: 'victim' })).record.id;
    const beforeDelete = await h.snapshot();
    const del = await h.call('DELETE', `/workspaces/${h.ws.a}/keys/${id}`, {
      headers: { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example' },
    });
    expect(del.status).toBe(403);
    expect(await h.snapshot()).toBe(beforeDelete);
    expect(before).not.toBe(beforeDelete);
    const accepted: Record<string, string>[] = [
      { 'content-type': 'application/json', 'sec-fetch-site': 'same-origin', origin: 'http://dashboard.test' },
      { 'content-type': 'application/json; charset=utf-8', origin: 'http://dashboard.test' },
      { 'content-type': 'application/json', 'sec-fetch-site': 'cross-site', origin: ORIGIN },
      // curl, a server, a CLI: no browser headers, no ambient cookies.
      { 'content-type': 'application/json' },
    ];
    for (const headers of accepted) expect((await create(headers)).status, JSON.stringify(headers)).toBe(201);
  });

  it('validates every input with a clear 400 naming it, and applies nothing', async () => {
    const h = await fresh();
    const key = (await h.call('POST', `/workspaces/${h.ws.a}/keys`, { body: { name: 'existing' } })).body.record;
    const before = await h.snapshot();
    const keys = `/workspaces/${h.ws.a}/keys`;
    const cases: [string, string, { body?: unknown; raw?: string }, string, RegExp?][] = [
      ['POST', keys, { body: { name: 'x'.repeat(101) } }, '/name', /at most 100 characters/],
      ['POST', keys, { body: { name: '   ' } }, '/name', /must not be empty/],
      ['POST', keys, { body: { name: 'two\nlines' } }, '/name', /control characters/],
      ['POST', keys, { body: {} }, '/name', /name is required/],
      ['POST', keys, { body: { name: 42 } }, '/name'],
      [
        'POST',
        keys,
        { body: { name: 'k', scopes: ['notes:read', 'root'] } },
        '/scopes/1',
        /unknown scope; the catalogue has: notes:read, notes:write, admin/,
      ],
      ['POST', keys, { body: { name: 'k', scopes: ['admin', 'admin'] } }, '/scopes/1', /twice/],
      ['POST', keys, { body: { name: 'k', scopes: 'admin' } }, '/scopes'],
      ['POST', keys, { body: { name: 'k', environment: 'staging' } }, '/environment', /choose one of: live, test/],
      ['POST', keys, { body: { name: 'k', expiresAt: new Date(h.clock - 1000).toISOString() } }, '/expiresAt', /in the future/],
      ['POST', keys, { body: { name: 'k', expiresAt: 'next tuesday' } }, '/expiresAt', /RFC 3339/],
      ['POST', keys, { body: { name: 'k', owner: 'me' } }, '/owner', /unknown member/],
      ['POST', keys, { body: ['name'] }, '', /JSON object/],
      ['PATCH', `${keys}/${key.id}`, { body: {} }, '', /send name, scopes or both/],
      ['PATCH', `${keys}/${key.id}`, { body: { name: 'ok', scopes: ['nope'] } }, '/scopes/0'],
      ['POST', `${keys}/${key.id}/rotate`, { body: { gracePeriod: '2h' } }, '/gracePeriod', /one of: 0s, 1h, 24h, 7d/],
      ['POST', `${keys}/${key.id}/revoke`, { body: { now: true } }, '/now'],
      ['GET', `${keys}?limit=0`, {}, '?limit', /from 1 to 1000/],
      ['GET', `${keys}?limit=5&limit=6`, {}, '?limit', /twice/],
      ['GET', `${keys}?includeRevoked=maybe`, {}, '?includeRevoked'],
      ['GET', `${keys}?sort=name`, {}, '?sort', /unknown parameter/],
      ['GET', `/workspaces/${h.ws.a}/audit?type=key.exploded`, {}, '?type', /key\.created/],
      ['GET', `/workspaces/${h.ws.a}/audit?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z`, {}, '?to'],
      ['GET', `/workspaces/${h.ws.a}/usage?from=2026-02-30`, {}, '?from', /YYYY-MM-DD/],
      ['GET', `/workspaces/${h.ws.a}/usage?from=2020-01-01&to=2026-01-01`, {}, '?from', /at most 400 days/],
    ];
    for (const [method, path, input, pointer, detail] of cases) {
      const answer = await h.call(method, path, input);
      const label = `${method} ${path} ${JSON.stringify(input)}`;
      expect(answer.status, label).toBe(400);
      expect(answer.body, label).toMatchObject({ code: 'invalid_request', title: 'Bad Request' });
      expect(
        answer.body.errors.map((e: { pointer: string }) => e.pointer),
        label,
      ).toContain(pointer);
      if (detail) expect(answer.body.detail, label).toMatch(detail);
    }
    const raw: [string, number, string][] = [
      ['{"name": "unterminated', 400, 'invalid_json'],
      ['{"name": "k"} trailing', 400, 'invalid_json'],
      [JSON.stringify({ name: 'x'.repeat(20_000) }), 413, 'payload_too_large'],
    ];
    for (const [text, status, code] of raw) {
      const answer = await h.call('POST', keys, { raw: text });
      expect([answer.status, answer.body.code]).toEqual([status, code]);
      expect(answer.text).not.toContain('unterminated');
    }
    const badUtf8 = await h.call('POST', keys, { raw: new Uint8Array([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]) });
    expect([badUtf8.status, badUtf8.body.code]).toEqual([400, 'invalid_json']);
    // A key pasted into a name would be shown to everyone: refused.
    const elsewhere = await h.keyward.create({ workspaceId: `${h.ws.a}_elsewhere`, name: 'x' });
    const pasted = await h.call('POST', keys, { body: { name: `ci ${elsewhere.key}` } });
    expect([pasted.status, pasted.body.errors?.[0]?.pointer]).toEqual([400, '/name']);
    expect(pasted.text).not.toContain(elsewhere.key);
    expect(await h.snapshot()).toBe(before);
  });

  it('answers ids, cursors and dates no store can take with 400 (never a 503, an outage alarm anyone could raise)', async () => {
    const h = await fresh();
    const key = (await h.call('POST', `/workspaces/${h.ws.a}/keys`, { body: { name: 'k' } })).body.record;
    const before = await h.snapshot();
    const keys = `/workspaces/${h.ws.a}/keys`;
    const bad: [string, string, unknown?][] = [
      ['GET', `${keys}/key_a%00b`],
      ['PATCH', `${keys}/key_a%00b`, { name: 'x' }],
      ['DELETE', `${keys}/key_a%00b`],
      ['POST', `${keys}/key_a%00b/rotate`, {}],
      ['POST', `${keys}/key_a%00b/revoke`, {}],
      ['GET', `${keys}/key_%0A`],
      ['GET', `${keys}?cursor=9999999999999999999:key_x`],
      ['GET', `${keys}?cursor=99999999999999999999:key_x`],
      ['GET', `${keys}?cursor=1:key_a%00b`],
      ['GET', `${keys}?cursor=garbage`],
      ['GET', `/workspaces/${h.ws.a}/audit?cursor=1:9999999999999999999`],
      ['GET', `/workspaces/${h.ws.a}/audit?cursor=1-18446744073709551616`],
      ['GET', `/workspaces/${h.ws.a}/audit?cursor=99999999999999999999:1`],
      ['GET', `/workspaces/${h.ws.a}/audit?keyId=key_a%00b`],
      ['GET', `/workspaces/${h.ws.a}/usage?from=1969-12-20&to=1970-01-02`],
      ['GET', `/workspaces/${h.ws.a}/usage?keyId=key_a%00b`],
      ['POST', keys, { name: 'old', expiresAt: '1960-01-01T00:00:00Z' }],
    ];
    for (const [method, path, body] of bad) {
      const answer = await h.call(method, path, { body });
      expect({ method, path, status: answer.status }).toEqual({ method, path, status: 400 });
    }
    // Time bounds of the audit log far in the past or the future are clamped: answered, not refused.
    for (const query of ['from=0001-01-01T00:00:00Z', 'to=0001-01-01T00:00:00Z', 'from=1969-12-31T23:59:59Z', 'to=9999-12-31T23:59:59Z']) {
      const answer = await h.call('GET', `/workspaces/${h.ws.a}/audit?${query}`);
      expect({ query, status: answer.status }).toEqual({ query, status: 200 });
    }
    expect(await h.snapshot()).toBe(before);
    expect((await h.call('GET', `${keys}/${key.id}`)).status).toBe(200);
  });

  it('answers a failing store, sign-in or name lookup with 503 and Retry-After (never a 200), and reports it scrubbed', async () => {
    const state = { mode: 'ok' as 'ok' | 'fail' | 'hang' };
    const h = await fresh({ dashboard: { timeout: 300 } }, (store) => switchable(store, state));
    const key = (await h.call('POST', `/workspaces/${h.ws.a}/keys`, { body: { name: 'k' } })).body.record;
    for (const mode of ['fail', 'hang'] as const) {
      state.mode = mode;
      const answers = [
        await h.call('GET', `/workspaces/${h.ws.a}/keys`),
        await h.call('POST', `/workspaces/${h.ws.a}/keys`, { body: { name: 'during outage' } }),
        await h.call('PATCH', `/workspaces/${h.ws.a}/keys/${key.id}`, { body: { name: 'renamed' } }),
        await h.call('POST', `/workspaces/${h.ws.a}/keys/${key.id}/revoke`),
        await h.call('GET', `/workspaces/${h.ws.a}/audit`),
        await h.call('GET', `/legacy-keys`),
      ];
      for (const answer of answers) {
        expect(answer.status, `${mode} ${answer.method} ${answer.path}`).toBe(503);
        expect(answer.headers.get('retry-after')).toMatch(/^\d+$/);
        expect(answer.body.code).toBe('unavailable');
      }
    }
    state.mode = 'ok';
    expect((await h.call('GET', `/workspaces/${h.ws.a}/keys/${key.id}`)).body.name).toBe('k');
    expect(h.reported.length).toBeGreaterThanOrEqual(12);
    for (const error of h.reported) expect(`${error.message}\n${error.stack}\n${String(error.cause)}`).not.toMatch(/[0-9a-f]{64}/);
    const down = await fresh({ dashboard: { authorize: () => Promise.reject(new Error('session store down')) } });
    const refused = await down.call('GET', '/me');
    expect([refused.status, refused.headers.get('retry-after'), refused.body.code]).toEqual([503, '1', 'unavailable']);
    const names = await fresh({ dashboard: { resolveNames: () => Promise.reject(new Error('directory down')) } });
    await names.call('POST', `/workspaces/${names.ws.a}/keys`, { as: 'adam', body: { name: 'by adam' } });
    expect((await names.call('GET', `/workspaces/${names.ws.a}/keys`)).status).toBe(503);
  });
}
