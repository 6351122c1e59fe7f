import { createKeyward, type KeyStore } from '@keyward/core';
import { secretScanningHandler } from '@keyward/secret-scanning';
import { memoryStore } from '@keyward/store-memory';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGitHub } from './fake-github.js';
import { describeSecretScanning, format, match } from './scenarios.js';
import { serveFetch } from './serve.js';

describeSecretScanning({ name: 'the memory store', createStore: () => memoryStore() });

describe('the endpoint', () => {
  const github = new FakeGitHub();
  beforeAll(() => github.start());
  afterAll(() => github.stop());

  async function mount(options: Parameters<typeof secretScanningHandler>[1] = {}, store: KeyStore = memoryStore()) {
    const keyward = createKeyward({ store, format });
    const handler = secretScanningHandler(keyward, { keysUrl: github.keysUrl, ...options });
    const server = await serveFetch(handler);
    return { keyward, handler, server };
  }

  it('fetches the key list once, and again for a new key id: GitHub rotating its key costs one fetch', async () => {
    const { keyward, server } = await mount();
    try {
      const start = github.keyRequests;
      for (let i = 0; i < 5; i++) {
        const { key } = await keyward.create({ workspaceId: 'ws_1', name: `k${i}` });
        expect((await github.send(server.url, [match(key)])).status).toBe(200);
      }
      expect(github.keyRequests - start).toBe(1);
      github.rotate();
      await new Promise((resolve) => setTimeout(resolve, 5));
      const { key } = await keyward.create({ workspaceId: 'ws_1', name: 'after rotation' });
      // The first refresh after the start is allowed once the minimum interval passed: here the
      // interval is the default (60 s) and the list was fetched just now, so the new id waits.
      expect((await github.send(server.url, [match(key)])).status).toBe(403);
      expect(github.keyRequests - start).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('bounds refreshes: a flood of made-up key ids costs one fetch per interval, and a real new key passes after it', async () => {
    let clock = 1_000_000;
    const { githubSigningKeys } = await import('@keyward/secret-scanning');
    const keys = githubSigningKeys({ url: github.keysUrl, minRefreshInterval: 60_000, now: () => clock });
    const { keyward, server } = await mount({ keys });
    try {
      const { key } = await keyward.create({ workspaceId: 'ws_1', name: 'k' });
      expect((await github.send(server.url, [match(key)])).status).toBe(200);
      const start = github.keyRequests;
      const flood = await Promise.all(
        Array.from({ length: 50 }, (_, i) => github.send(server.url, [match(key)], { identifier: `${i}`.padStart(64, 'a') })),
      );
      expect(flood.every((r) => r.status === 403)).toBe(true);
      expect(github.keyRequests - start).toBe(0);
      const fresh = github.rotate();
      const other = await keyward.create({ workspaceId: 'ws_1', name: 'other' });
      expect((await github.send(server.url, [match(other.key)], { keyId: fresh })).status).toBe(403);
      clock += 60_000;
      const flood2 = await Promise.all(
        Array.from({ length: 20 }, (_, i) => github.send(server.url, [match(key)], { identifier: `${i}`.padStart(64, 'b') })),
      );
      expect(flood2.every((r) => r.status === 403)).toBe(true);
      expect(github.keyRequests - start).toBe(1);
      // That one fetch brought the new key: it passes with no further fetch.
      expect((await github.send(server.url, [match(other.key)], { keyId: fresh })).status).toBe(200);
      expect(github.keyRequests - start).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('fails closed with 503 and Retry-After while the key list cannot be fetched; a withdrawn key stops working at the next refresh', async () => {
    let clock = 5_000_000;
    const { githubSigningKeys } = await import('@keyward/secret-scanning');
    const keys = githubSigningKeys({ url: github.keysUrl, ttl: 3_600_000, minRefreshInterval: 1000, now: () => clock });
    const { keyward, server } = await mount({ keys, retryAfter: 17 });
    try {
      const { key } = await keyward.create({ workspaceId: 'ws_1', name: 'k' });
      github.keysStatus = 502;
      const down = await github.send(server.url, [match(key)]);
      expect(down.status).toBe(503);
      expect(down.headers.get('retry-after')).toBe('17');
      expect((await keyward.verify({ authorization: `Bearer ${key}` })).ok).toBe(true);
      github.keysStatus = 200;
      clock += 1000;
      const old = github.currentKeyId;
      expect((await github.send(server.url, [match(key)])).status).toBe(200);
      // A list that fails to refresh later keeps the keys it had.
      github.keysStatus = 500;
      clock += 3_600_000;
      const k2 = await keyward.create({ workspaceId: 'ws_1', name: 'k2' });
      expect((await github.send(server.url, [match(k2.key)])).status).toBe(200);
      github.keysStatus = 200;
      github.rotate();
      github.withdraw(old);
      clock += 3_600_000;
      const k3 = await keyward.create({ workspaceId: 'ws_1', name: 'k3' });
      expect((await github.send(server.url, [match(k3.key)], { keyId: github.currentKeyId })).status).toBe(200);
      // The old key is gone from the list now: its signatures, good as they are, are refused.
      const k4 = await keyward.create({ workspaceId: 'ws_1', name: 'k4' });
      expect((await github.send(server.url, [match(k4.key)], { keyId: old })).status).toBe(403);
      expect((await keyward.verify({ authorization: `Bearer ${k4.key}` })).ok).toBe(true);
    } finally {
      github.keysStatus = 200;
      await server.close();
    }
  });

  it('answers 503 with Retry-After when the key store fails, and a retry then does the work', async () => {
    const inner = memoryStore();
    let down = false;
    const flaky: KeyStore = { ...inner, update: (id, patch) => (down ? Promise.reject(new Error('down')) : inner.update(id, patch)) };
    const errors: unknown[] = [];
    const { keyward, server } = await mount({ onError: (e) => errors.push(e) }, flaky);
    try {
      const { key } = await keyward.create({ workspaceId: 'ws_1', name: 'k' });
      down = true;
      const failed = await github.send(server.url, [match(key)]);
      expect(failed.status).toBe(503);
      expect(failed.headers.get('retry-after')).toBe('30');
      expect(errors.length).toBeGreaterThan(0);
      expect(JSON.stringify(errors.map(String))).not.toContain(key);
      down = false;
      const retried = await github.send(server.url, [match(key)]);
      expect(retried.status).toBe(200);
      expect(JSON.parse(retried.text)[0].label).toBe('true_positive');
      expect((await keyward.verify({ authorization: `Bearer ${key}` })).ok).toBe(false);
    } finally {
      await server.close();
    }
  });

  it('applies the policy: rotate-with-grace hands onLeak the successor; notify-only keeps the key', async () => {
    const leaks: { successor?: { key: string } }[] = [];
    const { keyward, server } = await mount({
      policy: (k) => (k.name === 'quiet' ? 'notify-only' : 'rotate-with-grace'),
      gracePeriod: '1h',
      onLeak: (l) => void leaks.push(l),
    });
    try {
      const rotating = await keyward.create({ workspaceId: 'ws_1', name: 'rotating' });
      const quiet = await keyward.create({ workspaceId: 'ws_1', name: 'quiet' });
      expect((await github.send(server.url, [match(rotating.key), match(quiet.key)])).status).toBe(200);
      const successor = leaks.find((l) => l.successor)?.successor;
      expect(successor).toBeDefined();
      for (const k of [rotating.key, successor!.key, quiet.key]) expect((await keyward.verify({ authorization: `Bearer ${k}` })).ok).toBe(true);
      expect((await keyward.get(rotating.record.id))!.expiresAt).not.toBeNull();
    } finally {
      await server.close();
    }
  });

  it('answers 405 to other methods and 204 without feedback; streams a body without Content-Length into the cap', async () => {
    const { keyward, handler, server } = await mount({ feedback: false, maxBodyBytes: 2048 });
    try {
      expect((await fetch(server.url)).status).toBe(405);
      const { key } = await keyward.create({ workspaceId: 'ws_1', name: 'k' });
      const ok = await github.send(server.url, [match(key)]);
      expect(ok.status).toBe(204);
      expect(ok.text).toBe('');
      // A chunked body (no Content-Length) is cut at the cap.
      const body = JSON.stringify([match(format.generate().key, 'y'.repeat(4000))]);
      const stream = new ReadableStream<Uint8Array>({
        start(controller) {
          for (let i = 0; i < body.length; i += 500) controller.enqueue(new TextEncoder().encode(body.slice(i, i + 500)));
          controller.close();
        },
      });
      const request = new Request('http://x/', {
        method: 'POST',
        body: stream,
        duplex: 'half',
        headers: { 'github-public-key-identifier': github.currentKeyId, 'github-public-key-signature': github.sign(body) },
      } as RequestInit);
      expect(request.headers.get('content-length')).toBeNull();
      expect((await handler(request)).status).toBe(413);
    } finally {
      await server.close();
    }
  });

  it('refuses options out of range and an engine that is none', () => {
    const keyward = createKeyward({ store: memoryStore(), format });
    expect(() => secretScanningHandler(keyward, { maxBodyBytes: 0 })).toThrow(RangeError);
    expect(() => secretScanningHandler(keyward, { maxMatches: 1.5 })).toThrow(RangeError);
    expect(() => secretScanningHandler({} as never)).toThrow(TypeError);
    expect(() => secretScanningHandler(keyward, { keysUrl: 'ftp://x' })).toThrow(RangeError);
  });
});
