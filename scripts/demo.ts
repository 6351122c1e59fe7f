// `pnpm start`: starts every example app under examples/ (each rebuilds one seed's authentication on
// a different adapter), on its default port, and prints where each listens with its demo keys and
// curl lines. The examples run on the TypeScript sources: no build step. Ctrl-C stops them all.
// DEMO_RANDOM_PORTS=1 picks free ports instead of the defaults (the tests use it).
//
// Each example keeps its keys in the embedded store (PostgreSQL in its process) under
// KEYWARD_DATA_DIR (default .keyward-demo/ at the root), so keys created through an example's API
// still work after a restart; `pnpm start -- --fresh` (or KEYWARD_FRESH=1) starts over.
// DATABASE_URL, REDIS_URL or KEYWARD_STORE=memory select the other stores instead.
// The metrics of every example (OpenTelemetry's Prometheus exporter in each, see
// examples/support/src/telemetry.ts) are served together on http://127.0.0.1:9464/metrics.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { mergeExpositions } from '../examples/support/src/prometheus-merge.js';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { buildPage } from '../packages/dashboard/scripts/build-page.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
/** Where the metrics of every example are served (the Prometheus exporter's registered port). */
const METRICS_PORT = 9464;
/** The default port of each example (the one its README names). */
const PORTS: Record<string, number> = { 'tiro-notes': 3001, 'tixallo-tickets': 3002, 'tipar-generate': 3003, tuco: 3004, tooken: 3005 };

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

const examples = readdirSync(join(root, 'examples'))
  .filter((name) => name in PORTS && existsSync(join(root, 'examples', name, 'src', 'main.ts')))
  .sort((a, b) => PORTS[a]! - PORTS[b]!);

const children: ChildProcess[] = [];
const stopAll = () => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
};
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stopAll();
    setTimeout(() => process.exit(0), 500).unref();
  });
}

const dataDir = process.env.KEYWARD_DATA_DIR ?? join(root, '.keyward-demo');
const embedded = !process.env.DATABASE_URL && !process.env.REDIS_URL && process.env.KEYWARD_STORE !== 'memory';
const fresh = process.argv.includes('--fresh') || process.env.KEYWARD_FRESH === '1';
if (embedded && fresh) rmSync(dataDir, { recursive: true, force: true });

console.log(`Keyward demo: ${examples.length} example apps, each the authentication page of one product, on a different adapter.`);
if (embedded) {
  console.log(`Keys are kept in ${dataDir}/<example> (embedded PostgreSQL): they still work after a restart.`);
  console.log('To start over: pnpm start -- --fresh (or KEYWARD_FRESH=1).');
}
console.log('');

/**
 * The first start creates a database per example; PostgreSQL's initdb in WebAssembly takes seconds
 * and five at once on a small machine take a minute. An empty database is the same for every
 * example, so one is made and copied where it is missing (into `<dir>/pgdata`, where the embedded
 * store keeps PostgreSQL's files).
 */
async function prepareDataDirs(dirs: string[]): Promise<void> {
  const missing = dirs.filter((dir) => !existsSync(join(dir, 'pgdata', 'PG_VERSION')));
  if (missing.length < 2) return;
  console.log('First start: creating the databases (once; a few seconds).\n');
  const scratch = mkdtempSync(join(dataDir, '.template-'));
  try {
    const db = new PGlite(join(scratch, 'pgdata'));
    await db.waitReady;
    await db.close();
    for (const dir of missing) if (!existsSync(join(dir, 'pgdata'))) cpSync(join(scratch, 'pgdata'), join(dir, 'pgdata'), { recursive: true });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
if (embedded) {
  mkdirSync(dataDir, { recursive: true });
  await prepareDataDirs(examples.map((name) => join(dataDir, name)));
}
// The dashboards' page (its script and styles, bundled on Preact): every example serves it.
await buildPage();
// Examples that need a build first (the Next.js one): built once, then kept until their sources change.
for (const name of examples) {
  const build = join(root, 'examples', name, 'scripts', 'build.mjs');
  if (existsSync(build) && spawnSync(process.execPath, [build], { stdio: 'inherit' }).status !== 0) {
    console.error(`examples/${name} did not build`);
    process.exit(1);
  }
}
const started = await Promise.all(
  examples.map(async (name) => {
    const port = process.env.DEMO_RANDOM_PORTS ? await freePort() : PORTS[name]!;
    const metricsPort = await freePort();
    const title = JSON.parse(readFileSync(join(root, 'examples', name, 'package.json'), 'utf8')).description as string;
    const child = spawn(process.execPath, ['--conditions=@keyward/source', '--import', 'tsx', join(root, 'examples', name, 'src', 'main.ts')], {
      cwd: join(root, 'examples', name),
      env: { ...process.env, PORT: String(port), METRICS_PORT: String(metricsPort), ...(embedded ? { KEYWARD_DATA_DIR: join(dataDir, name) } : {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const ok = await new Promise<boolean>((resolve) => {
      const timer = setInterval(() => {
        if (output.includes('Try:') && /\n\s*$/.test(output)) finish(true);
      }, 50);
      const finish = (value: boolean) => {
        clearInterval(timer);
        clearTimeout(limit);
        resolve(value);
      };
      const limit = setTimeout(() => finish(false), 120_000); // a first start creates each database
      child.once('exit', () => finish(false));
    });
    return { name, title, port, metricsPort, ok, output: () => output };
  }),
);

for (const app of started) {
  console.log(`━━ examples/${app.name} — ${app.title}`);
  // Give the banner a moment to finish (its curl lines follow "Try:").
  await new Promise((resolve) => setTimeout(resolve, 100));
  console.log(app.ok ? app.output().trimEnd() : `did not start:\n${app.output().slice(-2000)}`);
  console.log('');
}
const failed = started.filter((app) => !app.ok);
if (failed.length > 0) {
  stopAll();
  process.exit(1);
}
// One scrape target for all of them: each example's own exposition, merged per metric family (every
// series carries the example's service_name).
const metrics = createHttpServer((req, res) => {
  if (req.method !== 'GET' || req.url?.split('?')[0] !== '/metrics') {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('metrics are at /metrics\n');
    return;
  }
  void Promise.all(
    started.map((app) =>
      fetch(`http://127.0.0.1:${app.metricsPort}/metrics`, { signal: AbortSignal.timeout(2000) })
        .then((r) => (r.ok ? r.text() : ''))
        .catch(() => ''),
    ),
  ).then((texts) => res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }).end(mergeExpositions(texts)));
});
await new Promise<void>((resolve, reject) => {
  metrics.once('error', reject);
  metrics.listen(process.env.DEMO_RANDOM_PORTS ? 0 : METRICS_PORT, '127.0.0.1', resolve);
});
const metricsUrl = `http://127.0.0.1:${(metrics.address() as { port: number }).port}/metrics`;
console.log(`Metrics of every example (Prometheus text format): ${metricsUrl}`);
console.log('  e.g. sum by (service_name, keyward_verify_outcome) (rate(keyward_verify_requests_total[5m]))\n');
console.log('All running. Each README (examples/<name>/README.md) lists its routes. Ctrl-C stops them.');
