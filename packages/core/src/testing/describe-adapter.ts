import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Keyward } from '../index.js';
import { check } from './adapter/expectations.js';
import { headerCases } from './adapter/header-cases.js';
import { describeHostileRequests } from './adapter/hostile-requests.js';
import { type HttpAnswer, rawRequest, request } from './adapter/http-client.js';
import { ENGINE, type Seeded, seedEngines, suiteStore } from './adapter/keys.js';
import { type AdapterHarness, type AdapterSuiteOptions, ROUTES, type StartedAdapter } from './adapter/types.js';

export type { AdapterHarness, AdapterRoutes, AdapterSuiteOptions, ServerFault, StartedAdapter } from './adapter/types.js';

/**
 * The HTTP conformance suite of an adapter: starts the adapter's server on loopback and sends the
 * same table of raw requests (with `node:http`, which — unlike `fetch` — can send two
 * `Authorization` headers and raw non-ASCII bytes), expecting the same status, headers and body
 * from every framework; then the requests of a hostile client (odd paths, methods, targets and
 * `Host` headers), which must all get a 4xx. The suite builds its engines and seeds its keys itself.
 *
 * @example
 * ```ts
 * describeAdapter({
 *   name: 'express 5',
 *   start({ keyward, downKeyward, routes, body }) {
 *     const app = express();
 *     app.get(routes.protected.path, apiKey(keyward), (req, res) => res.json(body(req.apiKey)));
 *     // … the other routes
 *     const server = app.listen(0, '127.0.0.1');
 *     return once(server, 'listening').then(() => ({ port: server.address().port, close: () => server.close() }));
 *   },
 * });
 * ```
 */
export function describeAdapter(options: AdapterSuiteOptions): void {
  describe(`HTTP conformance: ${options.name}`, () => {
    const duplicateAuthorization = options.duplicateAuthorization ?? 'refused';
    let keyward: Keyward;
    let server: StartedAdapter | undefined;
    let keys: Seeded;

    beforeAll(async () => {
      const seeded = await seedEngines(options.createStore ? await options.createStore() : suiteStore(), options.keyward);
      ({ keyward, keys } = seeded);
      const harness: AdapterHarness = {
        keyward,
        downKeyward: seeded.downKeyward,
        routes: ROUTES,
        engine: ENGINE,
        body: (key) => ({ keyId: key?.id ?? null, workspaceId: key?.workspaceId ?? null }),
      };
      server = await options.start(harness);
    });

    afterAll(async () => {
      await server?.close();
    });

    const send = (path: string, headers: Record<string, string | string[]> = {}) => request(server!.port, path, headers);
    const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

    for (const { name, make } of headerCases(duplicateAuthorization)) {
      it(name, async () => {
        const { path, headers, expect: expected } = make(keys);
        check(keyward, await send(path, headers), expected);
      });
    }

    it('answers an unknown, a revoked and another workspace’s key byte for byte alike', async () => {
      const answers = await Promise.all([
        send('/workspaces/ws_a/protected', bearer(keys.unknown)),
        send('/workspaces/ws_a/protected', bearer(keys.revoked)),
        send('/workspaces/ws_a/protected', bearer(keys.other)),
      ]);
      const relevant = (a: HttpAnswer) => ({
        status: a.status,
        body: a.body,
        ...Object.fromEntries(['content-type', 'content-length', 'www-authenticate', 'cache-control', 'retry-after'].map((h) => [h, a.headers[h]])),
      });
      expect(relevant(answers[1]!)).toEqual(relevant(answers[0]!));
      expect(relevant(answers[2]!)).toEqual(relevant(answers[0]!));
    });

    it('gives up on a store that hangs within a bounded time', async () => {
      const started = Date.now();
      const answer = await send('/down', bearer(keys.valid));
      expect(answer.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(2000);
    });

    it('never mixes up keys between concurrent requests', async () => {
      const sent = Array.from({ length: 24 }, (_, i) => (i % 3 === 0 ? 'none' : i % 3 === 1 ? 'valid' : 'writer'));
      const answers = await Promise.all(
        sent.map((which) => send('/protected', which === 'none' ? {} : bearer(which === 'valid' ? keys.valid : keys.writer))),
      );
      answers.forEach((answer, i) => {
        if (sent[i] === 'none') expect(answer.status).toBe(401);
        else expect(JSON.parse(answer.body)).toMatchObject({ keyId: sent[i] === 'valid' ? keys.validId : keys.writerId });
      });
      const after = await send('/unprotected');
      expect(JSON.parse(after.body)).toEqual({ keyId: null, workspaceId: null });
    });

    // Decided by Node's HTTP parser before any framework runs: only the status is the same
    // everywhere (Fastify, for one, writes its own body for client errors).
    it('refuses a control character in the header at the HTTP parser (400)', async () => {
      const { status } = await rawRequest(
        server!.port,
        `GET /protected HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer ${keys.valid}\x01\r\n\r\n`,
      );
      expect(status).toBe(400);
    });

    it('refuses headers larger than Node’s maxHeaderSize (16 KB) at the HTTP parser (431)', async () => {
      const { status } = await rawRequest(
        server!.port,
        `GET /protected HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nAuthorization: Bearer ${'a'.repeat(20_000)}\r\n\r\n`,
      );
      expect(status).toBe(431);
    });

    describeHostileRequests({ port: () => server!.port, keys: () => keys, duplicateAuthorization, serverFaults: options.serverFaults ?? [] });
  });
}
