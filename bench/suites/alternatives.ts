/**
 * Keyward against the alternatives, on the same workload: one valid key checked again and again
 * while 100,000 keys are stored (BENCH_KEYS to change it), from the `Authorization` header value to
 * the decision.
 *
 * Contenders, each set up the way its docs recommend:
 * - in process, memory: Keyward + @keyward/store-memory; a hand-written check (SHA-256 hex + `Map`);
 *   `prefixed-api-key` (`getTokenComponents` + `checkAPIKey` against a `Map` of short tokens).
 * - Fastify, through `app.inject` (no socket, so only the plugins differ): @keyward/fastify and
 *   `@fastify/bearer-auth` holding the same 100,000 keys (it compares the token with every key).
 * - Express over loopback HTTP: @keyward/express and a hand-written SHA-256 + `Map` middleware.
 * - PostgreSQL, one pool on one server: Keyward + @keyward/store-postgres (engine cache on, warm;
 *   and cache off, so every verify is a database read) and better-auth's api-key plugin
 *   (`auth.api.verifyApiKey`; its default rate limit of 10 requests a day is switched off, as a
 *   benchmark needs, and everything else is its default).
 *
 * Series of one group run in alternating rounds, so that noise from the shared machine hits them
 * alike; each figure is the median of the rounds with min–max, and every ratio compares figures of
 * this one run. Prints one JSON line per group. Never prints a key or a hash.
 */
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createKeyward, prefixedFormat, type Keyward } from '@keyward/core';
import { apiKey as expressApiKey } from '@keyward/express';
import { fastifyKeyward } from '@keyward/fastify';
import { memoryStore } from '@keyward/store-memory';
import { postgresStore } from '@keyward/store-postgres';
import { apiKey as betterAuthApiKey } from '@better-auth/api-key';
import bearerAuth from '@fastify/bearer-auth';
import { betterAuth } from 'better-auth';
import { getMigrations } from 'better-auth/db/migration';
import express from 'express';
import Fastify from 'fastify';
import pg from 'pg';
import { checkAPIKey, generateAPIKey, getTokenComponents } from 'prefixed-api-key';
import { startServices } from '@keyward/test-services';

const KEYS = Number(process.env.BENCH_KEYS ?? 100_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const ROUND_MS = Number(process.env.BENCH_ROUND_MS ?? 600);
/** Upper bound of operations per round, so that every loop is bounded. */
const MAX_OPS = 2_000_000;

type Op = () => Promise<unknown> | unknown;
interface Range {
  median: number;
  min: number;
  max: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const range = (xs: number[]): Range => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

async function opsPerSecond(op: Op, roundMs: number): Promise<number> {
  const start = performance.now();
  const end = start + roundMs;
  let ops = 0;
  while (performance.now() < end && ops < MAX_OPS) {
    for (let i = 0; i < 16; i++, ops++) await op();
  }
  return (ops / (performance.now() - start)) * 1000;
}

/** Runs each contender for ROUND_MS per round, alternating, after one warm-up round each. */
async function compare(group: string, contenders: Record<string, Op>, roundMs = ROUND_MS, pairs: [string, string][] = []) {
  const names = Object.keys(contenders);
  for (const name of names) await opsPerSecond(contenders[name]!, Math.min(roundMs, 300));
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < ROUNDS; r++) for (const name of names) samples[name]!.push(await opsPerSecond(contenders[name]!, roundMs));
  const base = samples[names[0]!]!;
  const result = {
    name: `alternatives.${group}`,
    kind: 'comparison',
    keysStored: KEYS,
    unit: 'ops/s',
    contenders: names.map((name) => ({
      name,
      opsPerSec: range(samples[name]!),
      // Keyward ÷ contender, round by round (the first contender is Keyward).
      keywardRatio: name === names[0] ? null : range(base.map((v, i) => v / samples[name]![i]!)),
    })),
  };
  // Further ratios of this run, `a ÷ b` round by round.
  const extra = pairs.map(([a, b]) => ({ name: `${a} ÷ ${b}`, ratio: range(samples[a]!.map((v, i) => v / samples[b]![i]!)) }));
  Object.assign(result, { pairs: extra });
  for (const c of result.contenders) {
    const ratio = c.keywardRatio
      ? `   Keyward ×${c.keywardRatio.median.toFixed(2)} (${c.keywardRatio.min.toFixed(2)}–${c.keywardRatio.max.toFixed(2)})`
      : '';
    console.log(`${group.padEnd(10)} ${c.name.padEnd(34)} ${Math.round(c.opsPerSec.median).toLocaleString('en').padStart(10)} ops/s${ratio}`);
  }
  for (const p of extra)
    console.log(`${group.padEnd(10)} ${p.name}: ×${p.ratio.median.toFixed(2)} (${p.ratio.min.toFixed(2)}–${p.ratio.max.toFixed(2)})`);
  console.log(JSON.stringify(result));
  return result;
}

const sha256Hex = (s: string) => createHash('sha256').update(s).digest('hex');

function expect(condition: unknown, what: string): asserts condition {
  if (!condition) throw new Error(`benchmark setup is wrong: ${what}`);
}

// ─────────────────────────────── contenders ───────────────────────────────

/** Keyward on the memory store, with KEYS keys: the bench key plus imported fillers. */
async function keywardMemory(): Promise<{ keyward: Keyward; key: string }> {
  const keyward = createKeyward({ store: memoryStore(), format: prefixedFormat({ prefix: 'bench' }) });
  for (let i = 1; i < KEYS; i++) {
    await keyward.import({ hash: sha256Hex(`filler-${i}`), name: `filler ${i}`, hint: 'fill', workspaceId: `ws_${i % 100}` });
  }
  const { key } = await keyward.create({ workspaceId: 'ws_bench', name: 'bench' });
  return { keyward, key };
}

/** What a hand-rolled middleware does: parse `Bearer`, SHA-256 hex, look it up in a `Map`. */
function handWritten(keys: Iterable<string>) {
  const byHash = new Map<string, { id: string; revoked: boolean }>();
  let n = 0;
  for (const key of keys) byHash.set(sha256Hex(key), { id: `k${n++}`, revoked: false });
  return (header: string | undefined) => {
    if (!header?.startsWith('Bearer ')) return null;
    const record = byHash.get(sha256Hex(header.slice(7)));
    return record && !record.revoked ? record : null;
  };
}

function* fillerKeys(count: number, prefix: string) {
  for (let i = 0; i < count; i++) yield `${prefix}${i.toString(36).padStart(43, '0')}`;
}

async function memoryGroup() {
  const { keyward, key } = await keywardMemory();
  const header = `Bearer ${key}`;
  const headers = { authorization: header };
  const hand = handWritten([...fillerKeys(KEYS - 1, 'bench_live_'), key]);

  // prefixed-api-key: its own key format; the short token is the lookup key, the long-token hash
  // is what is stored.
  const byShortToken = new Map<string, string>();
  let pakKey = '';
  for (let i = 0; i < KEYS; i++) {
    const generated = await generateAPIKey({ keyPrefix: 'bench' });
    if (generated.shortToken === undefined) throw new Error('prefixed-api-key generated no short token');
    byShortToken.set(generated.shortToken, generated.longTokenHash);
    if (i === 0) pakKey = generated.token;
  }
  const pakHeader = `Bearer ${pakKey}`;
  const pakVerify = (value: string) => {
    if (!value.startsWith('Bearer ')) return false;
    const token = value.slice(7);
    const { shortToken } = getTokenComponents(token);
    const hash = byShortToken.get(shortToken);
    return hash !== undefined && checkAPIKey(token, hash);
  };

  expect((await keyward.verify(headers)).ok, 'Keyward refuses its key');
  expect(hand(header), 'the hand-written check refuses its key');
  expect(pakVerify(pakHeader), 'prefixed-api-key refuses its key');
  return compare('memory', {
    'Keyward (memory store)': () => keyward.verify(headers),
    'hand-written SHA-256 + Map': () => hand(header),
    'prefixed-api-key + Map': () => pakVerify(pakHeader),
  });
}

async function fastifyGroup() {
  const { keyward, key } = await keywardMemory();
  const withKeyward = Fastify();
  await withKeyward.register(fastifyKeyward, { keyward });
  withKeyward.get('/hello', async () => ({ hello: 'world' }));
  const withBearer = Fastify();
  await withBearer.register(bearerAuth, { keys: new Set([...fillerKeys(KEYS - 1, 'bench_live_'), key]) });
  withBearer.get('/hello', async () => ({ hello: 'world' }));
  await Promise.all([withKeyward.ready(), withBearer.ready()]);
  const inject = (app: typeof withKeyward) => async () => {
    const res = await app.inject({ method: 'GET', url: '/hello', headers: { authorization: `Bearer ${key}` } });
    if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
  };
  await inject(withKeyward)();
  await inject(withBearer)();
  const result = await compare('fastify', {
    '@keyward/fastify': inject(withKeyward),
    [`@fastify/bearer-auth (${KEYS.toLocaleString('en')} keys)`]: inject(withBearer),
  });
  await Promise.all([withKeyward.close(), withBearer.close()]);
  return result;
}

async function expressGroup() {
  const { keyward, key } = await keywardMemory();
  const hand = handWritten([...fillerKeys(KEYS - 1, 'bench_live_'), key]);
  const app = express();
  app.get('/keyward', expressApiKey(keyward), (_req, res) => void res.json({ hello: 'world' }));
  app.get(
    '/hand',
    (req, res, next) => {
      if (hand(req.headers.authorization)) return next();
      res.status(401).json({ error: 'unauthorized' });
    },
    (_req, res) => void res.json({ hello: 'world' }),
  );
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const get = (path: string) => () =>
    new Promise<void>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, agent, headers: { authorization: `Bearer ${key}` } }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`status ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end();
    });
  await get('/keyward')();
  await get('/hand')();
  const result = await compare('express', { '@keyward/express': get('/keyward'), 'hand-written middleware (SHA-256 + Map)': get('/hand') });
  agent.destroy();
  server.close();
  return result;
}

/** Copies one row `count` times with a new id and key, so that the tables hold `count` more keys. */
async function fillTable(pool: pg.Pool, table: string, idColumn: string, keyColumn: string, templateId: string, count: number) {
  const { rows } = await pool.query<{ column_name: string }>(
    `SELECT column_name FROM information_schema.columns WHERE table_schema = 'public' AND table_name = $1 ORDER BY ordinal_position`,
    [table],
  );
  const columns = rows.map((r) => r.column_name);
  const quoted = columns.map((c) => `"${c}"`).join(', ');
  const select = columns.map((c) => (c === idColumn ? `'fill_' || g` : c === keyColumn ? `md5(g::text) || md5((-g)::text)` : `t."${c}"`)).join(', ');
  await pool.query(
    `INSERT INTO "${table}" (${quoted}) SELECT ${select} FROM "${table}" t, generate_series(1, $2::int) g WHERE t."${idColumn}" = $1`,
    [templateId, count],
  );
  await pool.query(`ANALYZE "${table}"`);
}

async function postgresGroup(databaseUrl: string) {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 4 });
  try {
    const store = postgresStore({ pool });
    await store.migrate();
    const format = prefixedFormat({ prefix: 'bench' });
    const cached = createKeyward({ store, format });
    const uncached = createKeyward({ store, format, cache: false });
    const { key, record } = await cached.create({ workspaceId: 'ws_bench', name: 'bench' });
    await fillTable(pool, 'keyward_keys', 'id', 'hash', record.id, KEYS - 1);

    const auth = betterAuth({
      database: pool,
      baseURL: 'http://127.0.0.1',
      // A benchmark-only value, not a secret of anything.
      secret: 'keyward-benchmark-only-secret-0123456789',
      telemetry: { enabled: false },
      logger: { disabled: true },
      plugins: [betterAuthApiKey({ rateLimit: { enabled: false } })],
    });
    const { runMigrations } = await getMigrations(auth.options);
    await runMigrations();
    const context = await auth.$context;
    const user = await context.internalAdapter.createUser({ email: 'bench@example.test', name: 'bench', emailVerified: true }, { method: 'admin' });
    const created = await auth.api.createApiKey({ body: { userId: user.id, name: 'bench' } });
    await fillTable(pool, 'apikey', 'id', 'key', created.id, KEYS - 1);
    const betterAuthKey = created.key;

    const headers = { authorization: `Bearer ${key}` };
    expect((await cached.verify(headers)).ok && (await uncached.verify(headers)).ok, 'Keyward refuses its key');
    expect((await auth.api.verifyApiKey({ body: { key: betterAuthKey } })).valid, 'better-auth refuses its key');
    const result = await compare(
      'postgres',
      {
        'Keyward (PostgreSQL, cache warm)': () => cached.verify(headers),
        'Keyward (PostgreSQL, cache off)': () => uncached.verify(headers),
        'better-auth api-key (PostgreSQL)': async () => {
          const r = await auth.api.verifyApiKey({ body: { key: betterAuthKey } });
          if (!r.valid) throw new Error('better-auth refused its key');
        },
      },
      Math.max(ROUND_MS, 800),
      [['Keyward (PostgreSQL, cache off)', 'better-auth api-key (PostgreSQL)']],
    );
    await Promise.all([cached.close(), uncached.close()]);
    return result;
  } finally {
    await pool.end();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const services = await startServices({ redis: false, redisCluster: false });
  try {
    await memoryGroup();
    await fastifyGroup();
    await expressGroup();
    await postgresGroup(services.databaseUrl);
  } finally {
    await services.stop();
  }
}
