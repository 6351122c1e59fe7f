// `pnpm start`: starts every example app under examples/ (each rebuilds one seed's authentication on
// a different adapter), on its default port, and prints where each listens with its demo keys and
// curl lines. The examples run on the TypeScript sources: no build step. Ctrl-C stops them all.
// DEMO_RANDOM_PORTS=1 picks free ports instead of the defaults (the tests use it).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildPage } from '../packages/dashboard/scripts/build-page.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
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

console.log(`Keyward demo: ${examples.length} example apps, each the authentication page of one product, on a different adapter.\n`);
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
    const title = JSON.parse(readFileSync(join(root, 'examples', name, 'package.json'), 'utf8')).description as string;
    const child = spawn(process.execPath, ['--conditions=@keyward/source', '--import', 'tsx', join(root, 'examples', name, 'src', 'main.ts')], {
      cwd: join(root, 'examples', name),
      env: { ...process.env, PORT: String(port) },
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
      const limit = setTimeout(() => finish(false), 60_000);
      child.once('exit', () => finish(false));
    });
    return { name, title, port, ok, output: () => output };
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
console.log('All running. Each README (examples/<name>/README.md) lists its routes. Ctrl-C stops them.');
