#!/usr/bin/env node
// `next build --webpack` of the app, skipped when the build is up to date (a hash of the app's
// sources and of the Keyward packages it bundles, kept next to the build). Under `flock` when
// available, so that parallel starts and tests do not build at once.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
// One build at a time (the demo, the tests and a start may ask together): re-run under flock.
if (!process.env.TIPAR_BUILD_LOCKED) {
  const locked = spawnSync('flock', [join(app, '.build.lock'), process.execPath, fileURLToPath(import.meta.url)], {
    stdio: 'inherit',
    env: { ...process.env, TIPAR_BUILD_LOCKED: '1' },
  });
  if (!locked.error) process.exit(locked.status ?? 1);
  // No flock on this machine: build without the lock.
}
const stamp = join(app, '.next', 'keyward-inputs.sha256');
const require = createRequire(join(app, 'package.json'));

function* files(dir) {
  for (const name of readdirSync(dir).sort()) {
    if (['.next', 'node_modules', 'next-env.d.ts', '.build.lock', 'test', 'testing', 'scripts'].includes(name) || name.endsWith('.test.ts')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

const hash = createHash('sha256').update(readFileSync(require.resolve('next/package.json')));
// The packages the app bundles from source: a change in any (the dashboard's page bundle included) is a rebuild.
for (const dir of [
  app,
  ...['packages/core/src', 'packages/next/src', 'packages/dashboard/src', 'examples/support/src'].map((d) => join(app, '../..', d)),
]) {
  for (const file of files(dir))
    hash
      .update(`${relative(app, file)}\0`)
      .update(readFileSync(file))
      .update('\0');
}
const wanted = hash.digest('hex');
if (existsSync(stamp) && existsSync(join(app, '.next', 'BUILD_ID')) && readFileSync(stamp, 'utf8') === wanted) process.exit(0);
console.log('Building the Tipar example with next build (about a minute, once)…');
const build = spawnSync(process.execPath, [require.resolve('next/dist/bin/next'), 'build', '--webpack'], {
  cwd: app,
  stdio: ['ignore', 'pipe', 'pipe'],
  encoding: 'utf8',
  env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
});
if (build.status !== 0) {
  process.stderr.write(`${build.stdout}\n${build.stderr}\nnext build failed (${build.status ?? build.signal})\n`);
  process.exit(1);
}
writeFileSync(stamp, wanted);
