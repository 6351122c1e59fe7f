// One HTTP server of the HTTP-overhead benchmark (bench/suites/http.ts), run pinned to one CPU.
// Argument: express | koa | fastify | fetch. Serves the same JSON hello-world on `/plain` (no
// authentication), `/keyward` (Keyward, memory store) and `/sha256` (a middleware or hook that only
// takes the SHA-256 of the token: the floor of any check of hashed keys) — and, on Fastify,
// `/bearer` (@fastify/bearer-auth with one static key) — so that the variants share everything but
// the authentication. Express and Fastify also serve `/verify-now` and `/verify-await`: the same
// hand-written check, with `keyward.verifyNow` (an answer at once from the memory store) and with
// `await keyward.verify` (always a promise), to weigh the synchronous answer at HTTP level. Prints `{"port":…,"key":"…"}` (a key made for this run only),
// then its CPU time for each line it reads.
import { hash } from 'node:crypto';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';
import bearerAuth from '@fastify/bearer-auth';
import { createKeyward, prefixedFormat, type VerifyResult, withApiKey } from '@keyward/core';
import { nodeAuthorization } from '@keyward/core/adapter';
import { apiKey } from '@keyward/express';
import { fastifyKeyward } from '@keyward/fastify';
import { apiKey as koaApiKey } from '@keyward/koa';
import { memoryStore } from '@keyward/store-memory';
import express from 'express';
import Fastify, { type FastifyReply, type HookHandlerDoneFunction, type onRequestHookHandler } from 'fastify';
import Koa from 'koa';

const kind = process.argv[2];
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(0));
const keyward = createKeyward({ store: memoryStore(), format: prefixedFormat({ prefix: 'bench' }) });
const { key } = await keyward.create({ workspaceId: 'ws_bench', name: 'bench' });
const hello = { hello: 'world' };
const ready = (port: number) => process.stdout.write(`${JSON.stringify({ port, key })}\n`);
// Each line on stdin asks for the CPU time this process has used so far (µs): the suite divides it by
// the wall time of a run, to show that the server was busy all along (the client was not the limit).
createInterface({ input: process.stdin }).on('line', () => {
  const { user, system } = process.cpuUsage();
  process.stdout.write(`${user + system}\n`);
});

/** True when the `Authorization` header's token hashes to a digest, as any store of hashed keys must do. */
const floor = (header: string | undefined) => header !== undefined && hash('sha256', header.slice(7), 'hex').length === 64;

/** `/verify-now` and `/verify-await`: one check, written once, that differs only in how it waits for the result. */
function twoWays<Ctx>(pass: (ctx: Ctx, result: VerifyResult) => void) {
  return {
    now: (raw: Parameters<typeof nodeAuthorization>[0], ctx: Ctx) => {
      const result = keyward.verifyNow(nodeAuthorization(raw));
      if (result instanceof Promise) void result.then((r) => pass(ctx, r));
      else pass(ctx, result);
    },
    awaited: (raw: Parameters<typeof nodeAuthorization>[0], ctx: Ctx) => void keyward.verify(nodeAuthorization(raw)).then((r) => pass(ctx, r)),
  };
}

if (kind === 'express') {
  const app = express();
  app.get('/plain', (_req, res) => void res.json(hello));
  app.get('/keyward', apiKey(keyward), (_req, res) => void res.json(hello));
  type Call = { res: express.Response; next: express.NextFunction };
  const check = twoWays((ctx: Call, r) => (r.ok ? ctx.next() : void ctx.res.status(r.error.status).end()));
  app.get(
    '/verify-now',
    (req, res, next) => check.now(req, { res, next }),
    (_req, res) => void res.json(hello),
  );
  app.get(
    '/verify-await',
    (req, res, next) => check.awaited(req, { res, next }),
    (_req, res) => void res.json(hello),
  );
  app.get(
    '/sha256',
    (req, res, next) => (floor(req.headers.authorization) ? next() : void res.status(401).end()),
    (_req, res) => void res.json(hello),
  );
  const server = app.listen(0, '127.0.0.1', () => ready((server.address() as { port: number }).port));
} else if (kind === 'koa') {
  const app = new Koa();
  const guard = koaApiKey(keyward);
  app.use(async (ctx, next) => {
    if (ctx.path === '/keyward') return guard(ctx, next);
    if (ctx.path === '/sha256') {
      if (floor(ctx.get('authorization'))) return next();
      ctx.status = 401;
      return;
    }
    return next();
  });
  app.use((ctx) => {
    ctx.body = hello;
  });
  const server = app.listen(0, '127.0.0.1', () => ready((server.address() as { port: number }).port));
} else if (kind === 'fastify') {
  const app = Fastify();
  app.get('/plain', async () => hello);
  await app.register(async (scope) => {
    await scope.register(bearerAuth, { keys: new Set([key]) });
    scope.get('/bearer', async () => hello);
  });
  const hashOnly: onRequestHookHandler = (request, reply, done) => (floor(request.headers.authorization) ? done() : void reply.code(401).send());
  app.get('/sha256', { onRequest: hashOnly }, async () => hello);
  type Call = { reply: FastifyReply; done: HookHandlerDoneFunction };
  const check = twoWays((ctx: Call, r) => (r.ok ? ctx.done() : void ctx.reply.code(r.error.status).send()));
  app.get('/verify-now', { onRequest: (request, reply, done) => check.now(request.raw, { reply, done }) }, async () => hello);
  app.get('/verify-await', { onRequest: (request, reply, done) => check.awaited(request.raw, { reply, done }) }, async () => hello);
  await app.register(async (scope) => {
    await scope.register(fastifyKeyward, { keyward });
    scope.get('/keyward', async () => hello);
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  ready((app.server.address() as { port: number }).port);
} else if (kind === 'fetch') {
  // The web-standard handler of Bun / Deno / Workers, on node:http through a minimal bridge.
  const guarded = withApiKey(() => Response.json(hello), { keyward });
  const handle = (request: Request) => {
    const path = new URL(request.url).pathname;
    if (path === '/keyward') return guarded(request);
    if (path === '/sha256' && !floor(request.headers.get('authorization') ?? undefined)) return new Response(null, { status: 401 });
    return Response.json(hello);
  };
  const server = createServer(async (req, res) => {
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2) headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
    const response = await handle(new Request(`http://127.0.0.1${req.url ?? '/'}`, { method: req.method, headers }));
    res.statusCode = response.status;
    response.headers.forEach((value, name) => {
      res.setHeader(name, value);
    });
    res.end(Buffer.from(await response.arrayBuffer()));
  });
  server.listen(0, '127.0.0.1', () => ready((server.address() as { port: number }).port));
} else {
  console.error(`unknown server kind ${kind}`);
  process.exit(2);
}
