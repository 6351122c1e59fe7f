import { createHash } from 'node:crypto';
import { createKeyward, type Keyward, type KeyStore, type Leak, prefixedFormat } from '@keyward/core';
import { secretScanningHandler } from '@keyward/secret-scanning';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobUrl, FakeGitHub, type Match } from './fake-github.js';
import { serveFetch } from './serve.js';

export const format = prefixedFormat({ prefix: 'kw' });
export const TYPE = 'kw_api_key';
export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
export const match = (token: string, path = 'config/.env', source = 'content'): Match => ({ token, type: TYPE, url: blobUrl(path), source });

/** A near miss of a key: its last character changed (same length, bad checksum). */
export function typo(key: string): string {
  return key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
}

/**
 * The alerts every store must handle the same way: a fake GitHub on loopback sends signed and
 * tampered alerts to the handler mounted in a real HTTP server, in front of an engine on `store`.
 */
export function describeSecretScanning(options: {
  name: string;
  createStore: () => Promise<KeyStore> | KeyStore;
  closeStore?: (store: KeyStore) => Promise<void>;
}) {
  describe(`secret scanning alerts on ${options.name}`, () => {
    const github = new FakeGitHub();
    let store: KeyStore;
    let keyward: Keyward;
    let server: { url: string; close: () => Promise<void> };
    const leaks: Leak[] = [];
    const errors: unknown[] = [];
    const ws = `ws_scan_${Math.random().toString(36).slice(2, 8)}`;

    beforeAll(async () => {
      await github.start();
      store = await options.createStore();
      keyward = createKeyward({ store, format, audit: { flushInterval: '1h' } });
      server = await serveFetch(
        secretScanningHandler(keyward, { keysUrl: github.keysUrl, onLeak: (leak) => void leaks.push(leak), onError: (e) => errors.push(e) }),
      );
    });
    afterAll(async () => {
      await server.close();
      await keyward.close();
      await github.stop();
      await options.closeStore?.(store);
    });

    const works = async (key: string) => (await keyward.verify({ authorization: `Bearer ${key}` })).ok;
    const leakedEvents = async () => {
      await keyward.flush();
      return (await keyward.auditLog({ workspaceId: ws, limit: 1000 })).items.filter((e) => e.type === 'key.leaked');
    };

    it('revokes a reported key, records key.leaked, tells onLeak, answers true_positive — and never echoes the token', async () => {
      const { key, record } = await keyward.create({ workspaceId: ws, name: 'ci' });
      expect(await works(key)).toBe(true);
      leaks.length = 0;
      const sent = await github.send(server.url, [match(key)]);
      expect(sent.status).toBe(200);
      expect(sent.headers.get('content-type')).toBe('application/json');
      expect(JSON.parse(sent.text)).toEqual([{ token_hash: sha256(key), token_type: TYPE, label: 'true_positive' }]);
      expect(sent.text).not.toContain(key);
      expect(await works(key)).toBe(false);
      expect(leaks).toHaveLength(1);
      expect(leaks[0]).toMatchObject({
        action: 'revoked',
        wasActive: true,
        key: { id: record.id },
        location: { url: blobUrl('config/.env'), source: 'content', type: TYPE },
      });
      const events = await leakedEvents();
      expect(events.filter((e) => e.keyId === record.id)).toHaveLength(1);
      expect(events.find((e) => e.keyId === record.id)).toMatchObject({
        actor: 'github-secret-scanning',
        details: { action: 'revoked', source: 'content' },
      });
      expect(JSON.stringify(events)).not.toContain(key);
    });

    it('does nothing twice: the same alert again answers the same and changes nothing', async () => {
      const { key, record } = await keyward.create({ workspaceId: ws, name: 'twice' });
      const alert = [match(key, 'a.txt'), match(key, 'a.txt')];
      const first = await github.send(server.url, alert);
      leaks.length = 0;
      const before = (await leakedEvents()).length;
      const second = await github.send(server.url, alert);
      expect(second.status).toBe(200);
      expect(second.text).toBe(first.text);
      expect(leaks).toEqual([]);
      expect((await leakedEvents()).length).toBe(before);
      expect((await keyward.get(record.id))!.revokedAt).not.toBeNull();
    });

    it('refuses a tampered alert, a signature of another key, a made-up key id or no signature — and changes nothing', async () => {
      const { key } = await keyward.create({ workspaceId: ws, name: 'tamper' });
      const other = format.generate().key;
      const before = (await leakedEvents()).length;
      // Signed for a report of another token, sent with this one.
      const swapped = await github.send(server.url, [match(other)], { tamper: (body) => body.replace(other, key) });
      const spaced = await github.send(server.url, [match(key)], { tamper: (body) => `${body} ` });
      const wrongKey = await github.send(server.url, [match(key)], { signature: github.sign('something else') });
      const madeUp = await github.send(server.url, [match(key)], { identifier: 'f'.repeat(64) });
      const garbage = await github.send(server.url, [match(key)], { signature: 'bm90IGEgc2lnbmF0dXJl' });
      const none = await github.send(server.url, [match(key)], { signature: null });
      const noId = await github.send(server.url, [match(key)], { identifier: null });
      expect([swapped, spaced, wrongKey, madeUp, garbage, none, noId].map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 400, 400]);
      for (const r of [swapped, spaced, wrongKey, madeUp, garbage, none, noId]) expect(r.text).not.toContain(key);
      expect(await works(key)).toBe(true);
      expect((await leakedEvents()).length).toBe(before);
    });

    it('refuses a signed body that is not the documented JSON, and one over the size cap — and changes nothing', async () => {
      const { key } = await keyward.create({ workspaceId: ws, name: 'shape' });
      const raws = [
        JSON.stringify({ token: key, type: TYPE }),
        JSON.stringify([key]),
        JSON.stringify([{ token: 42, type: TYPE }]),
        JSON.stringify([{ type: TYPE, url: '' }]),
        `[{"token":"${key}","type":"${TYPE}"`,
        JSON.stringify([{ token: key, type: TYPE, url: 7 }]),
      ];
      for (const raw of raws) {
        const sent = await github.send(server.url, [], { raw });
        expect(sent.status, raw.slice(0, 30)).toBe(400);
        expect(sent.text).not.toContain(key);
      }
      const big = await github.send(server.url, [], {
        raw: JSON.stringify([match(key), { token: 'x', type: TYPE, url: 'y'.repeat(1_100_000), source: '' }]),
      });
      expect(big.status).toBe(413);
      expect(await works(key)).toBe(true);
    });

    it('answers false_positive alike for every token it did not issue: near misses, unknown keys, noise', async () => {
      const { key } = await keyward.create({ workspaceId: ws, name: 'decoy' });
      const tokens = [typo(key), format.generate().key, 'kw_live_tooShort', 'not a key at all', key.slice(0, -1)];
      const sent = await github.send(
        server.url,
        tokens.map((t) => match(t, 'noise.txt')),
      );
      expect(sent.status).toBe(200);
      const feedback = JSON.parse(sent.text) as { token_hash: string; token_type: string; label: string }[];
      expect(feedback).toEqual(tokens.map((t) => ({ token_hash: sha256(t), token_type: TYPE, label: 'false_positive' })));
      for (const entry of feedback) expect(Object.keys(entry)).toEqual(['token_hash', 'token_type', 'label']);
      expect(await works(key)).toBe(true);
    });

    it('handles a large alert of many matches, live keys among them', async () => {
      const live = await Promise.all(Array.from({ length: 20 }, (_, i) => keyward.create({ workspaceId: ws, name: `bulk ${i}` })));
      const noise = Array.from({ length: 180 }, () => format.generate().key);
      const matches = [...noise.slice(0, 90), ...live.map((l) => l.key), ...noise.slice(90)].map((t, i) => match(t, `bulk/${i}.js`));
      const sent = await github.send(server.url, matches);
      expect(sent.status).toBe(200);
      const labels = (JSON.parse(sent.text) as { label: string }[]).map((f) => f.label);
      expect(labels.filter((l) => l === 'true_positive')).toHaveLength(20);
      for (const l of live) expect(await works(l.key)).toBe(false);
      expect(errors).toEqual([]);
    });
  });
}
