// The mounts of the README, as they are written there: Express and Koa (`fetchMiddleware`) and
// Fastify (`fetchPlugin`), each on a real server on loopback, each sent a signed and a tampered
// alert by the fake GitHub — with the apps' own JSON body parsers in place for their other routes.
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKeyward } from '@keyward/core';
import { fetchMiddleware as expressFetch } from '@keyward/express';
import { fetchPlugin } from '@keyward/fastify';
import { fetchMiddleware as koaFetch } from '@keyward/koa';
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
let secretScanning: ReturnType<typeof secretScanningHandler>;
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  await github.start();
  secretScanning = secretScanningHandler(keyward, { keysUrl: github.keysUrl });
});
afterAll(async () => {
  for (const close of closers) await close();
  await github.stop();
});

/** The URL of the endpoint on a node:http server that is starting to listen. */
async function listening(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/github/secret-scanning`;
}

const cases: [string, () => Promise<string>][] = [
  [
    'Express',
    async () => {
      const app = express();
      // README: before express.json(), so that the body reaches the handler as GitHub signed it.
      app.use(expressFetch(secretScanning));
      app.use(express.json());
      return listening(app.listen(0, '127.0.0.1'));
    },
  ],
  [
    'Koa',
    async () => {
      const app = new Koa();
      app.use(koaFetch(secretScanning));
      return listening(app.listen(0, '127.0.0.1'));
    },
  ],
  [
    'Fastify',
    async () => {
      const app = Fastify();
      await app.register(fetchPlugin, { handler: secretScanning });
      app.post('/other', async (request) => request.body);
      await app.listen({ port: 0, host: '127.0.0.1' });
      closers.push(() => app.close());
      return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/github/secret-scanning`;
    },
  ],
];

describe('the README mounts', () => {
  it('the handler names the path to mount it at', () => {
    expect(secretScanning.basePath).toBe('/github/secret-scanning');
    expect(secretScanningHandler(keyward, { basePath: '/hooks/github/' }).basePath).toBe('/hooks/github');
    expect(() => secretScanningHandler(keyward, { basePath: 'github' })).toThrow(RangeError);
  });

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
