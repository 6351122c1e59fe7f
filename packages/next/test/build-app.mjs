#!/usr/bin/env node
// Builds the fixture app (test-app/) with `next build`, unless its build is up to date: the build
// takes about a minute on 2 cores, so it is kept in test-app/.next with a hash of everything it
// was built from (the app, the sources of @keyward/next, core, store-memory and dashboard, the Next.js
// version). Run under `flock` by the tests so that concurrent runs do not build at the same time.
// Usage: node packages/next/test/build-app.mjs [--force]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkg = join(dirname(fileURLToPath(import.meta.url)), '..');
const app = join(pkg, 'test-app');
const stamp = join(app, '.next', 'keyward-inputs.sha256');
const require = createRequire(join(pkg, 'package.json'));
const nextBin = require.resolve('next/dist/bin/next');

function* files(dir) {
  for (const name of readdirSync(dir).sort()) {
    // Tests and the conformance suites of core are not part of the app.
    if (['.next', 'node_modules', 'next-env.d.ts', '.build.lock', 'testing'].includes(name) || name.endsWith('.test.ts')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else yield path;
  }
}

export function inputsHash() {
  const hash = createHash('sha256');
  hash.update(readFileSync(require.resolve('next/package.json')));
  for (const dir of [app, join(pkg, 'src'), join(pkg, '../core/src'), join(pkg, '../store-memory/src'), join(pkg, '../dashboard/src')]) {
    for (const file of files(dir))
      hash
        .update(`${relative(pkg, file)}\0`)
        .update(readFileSync(file))
        .update('\0');
  }
  return hash.digest('hex');
}

const wanted = inputsHash();
if (!process.argv.includes('--force') && existsSync(stamp) && existsSync(join(app, '.next', 'BUILD_ID')) && readFileSync(stamp, 'utf8') === wanted) {
  process.exit(0);
}
const build = spawnSync(process.execPath, [nextBin, 'build', '--webpack'], {
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
