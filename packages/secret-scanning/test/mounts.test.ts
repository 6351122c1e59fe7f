// The mounts of the README, as they are written there: Express, Koa and Fastify, each on a real
// server on loopback, each sent a signed and a tampered alert by the fake GitHub.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createKeyward } from '@keyward/core';
import { secretScanningHandler } from '@keyward/secret-scanning';
import { memoryStore } from '@keyward/store-memory';
import express from 'express';
import Fastify from 'fastify';
import Koa from 'koa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeGitHub } from './fake-github.js';
import { format, match, sha256 } from './scenarios.js';

const github = new FakeGitHub();
const keyward = createKeyward({ store: memoryStore(), format });
let secretScanning: (request: Request) => Promise<Response>;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  await github.start();
  secretScanning = secretScanningHandler(keyward, { keysUrl: github.keysUrl });
});
afterAll(async () => {
  for (const close of closers) await close();
  await github.stop();
});

function expressApp() {
  const app = express();
  // README: Express — the raw body (before any JSON parser), handed over as it came.
  app.post('/github/secret-scanning', express.raw({ type: '*/*', limit: '1mb' }), async (req, res) => {
    const response = await secretScanning(
      new Request(`https://${req.get('host')}${req.originalUrl}`, { method: 'POST', headers: req.headers as HeadersInit, body: req.body }),
    );
    res
      .status(response.status)
      .set(Object.fromEntries(response.headers))
      .send(Buffer.from(await response.arrayBuffer()));
  });
  app.use(express.json());
  return app;
}

function koaApp() {
  const app = new Koa();
  // README: Koa — no body parser on this path: the request stream goes to the handler.
  app.use(async (ctx, next) => {
    if (ctx.method !== 'POST' || ctx.path !== '/github/secret-scanning') return next();
    const response = await secretScanning(
      new Request(ctx.href, {
        method: 'POST',
        headers: ctx.headers as HeadersInit,
        body: Readable.toWeb(ctx.req) as ReadableStream,
        duplex: 'half',
      } as RequestInit),
    );
    ctx.status = response.status;
    ctx.set(Object.fromEntries(response.headers));
    ctx.body = Buffer.from(await response.arrayBuffer());
  });
  return app;
}

async function fastifyApp() {
  const app = Fastify();
  // README: Fastify — a scope whose only body parser keeps the bytes as they came.
  await app.register(async (scoped) => {
    scoped.removeAllContentTypeParsers();
    scoped.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1_048_576 }, (_req, body, done) => done(null, body));
    scoped.post('/github/secret-scanning', async (request, reply) => {
      const response = await secretScanning(
        new Request(`https://${request.host}${request.url}`, {
          method: 'POST',
          headers: request.headers as HeadersInit,
          body: new Uint8Array(request.body as Buffer),
        }),
      );
      return reply
        .code(response.status)
        .headers(Object.fromEntries(response.headers))
        .send(Buffer.from(await response.arrayBuffer()));
    });
  });
  return app;
}

/** The URL of the endpoint on a node:http server that is starting to listen. */
async function listening(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/github/secret-scanning`;
}

describe('the README mounts', () => {
  const cases: [string, () => Promise<string>][] = [
    ['Express', () => listening(expressApp().listen(0, '127.0.0.1'))],
    ['Koa', () => listening(koaApp().listen(0, '127.0.0.1'))],
    [
      'Fastify',
      async () => {
        const app = await fastifyApp();
        await app.listen({ port: 0, host: '127.0.0.1' });
        closers.push(() => app.close());
        return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/github/secret-scanning`;
      },
    ],
  ];
  for (const [name, start] of cases) {
    it(`${name}: a signed alert revokes the key, a tampered one changes nothing`, async () => {
      const url = await start();
      const { key } = await keyward.create({ workspaceId: 'ws_mount', name });
      const other = await keyward.create({ workspaceId: 'ws_mount', name: `${name} kept` });
      const tampered = await github.send(url, [match(other.key)], { tamper: (body) => body.replace('config', 'confiG') });
      expect(tampered.status).toBe(403);
      const sent = await github.send(url, [match(key)]);
      expect(sent.status).toBe(200);
      expect(JSON.parse(sent.text)).toEqual([{ token_hash: sha256(key), token_type: 'kw_api_key', label: 'true_positive' }]);
      expect((await keyward.verify({ authorization: `Bearer ${key}` })).ok).toBe(false);
      expect((await keyward.verify({ authorization: `Bearer ${other.key}` })).ok).toBe(true);
    });
  }
});
