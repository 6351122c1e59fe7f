#!/usr/bin/env node
// `pnpm bench`: runs every benchmark of the workspace one after the other (they must not compete
// for the two cores), prints their summaries, and keeps their JSON lines in bench/results/.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const only = process.argv.slice(2);
const files = [];
for (const dir of ['packages', 'bench']) {
  const base = join(root, dir);
  if (!existsSync(base)) continue;
  const candidates = dir === 'packages' ? readdirSync(base).map((p) => join(base, p, 'bench')) : [join(base, 'suites')];
  for (const benchDir of candidates) {
    if (!existsSync(benchDir)) continue;
    for (const f of readdirSync(benchDir).sort()) if (/\.(ts|mts)$/.test(f) && !f.endsWith('.d.ts')) files.push(join(benchDir, f));
  }
}
const selected = only.length ? files.filter((f) => only.some((o) => f.includes(o))) : files;
const results = [];
let failed = 0;
for (const file of selected) {
  console.log(`\n▶ ${relative(root, file)}`);
  const run = spawnSync(process.execPath, ['--conditions=@keyward/source', '--import', 'tsx', file], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 10 * 60_000,
  });
  for (const line of (run.stdout ?? '').split('\n')) {
    if (line.startsWith('{')) {
      try {
        results.push({ file: relative(root, file), ...JSON.parse(line) });
        continue;
      } catch {}
    }
    if (line.trim()) console.log(`  ${line}`);
  }
  if (run.status !== 0) {
    failed++;
    console.log(`  ✗ exited with ${run.status ?? run.signal}`);
  }
}
mkdirSync(join(root, 'bench', 'results'), { recursive: true });
const out = join(root, 'bench', 'results', `${new Date().toISOString().slice(0, 10)}.json`);
// A partial run (`pnpm bench <filter>`) replaces only the results of the files it ran.
const ran = new Set(selected.map((f) => relative(root, f)));
const kept = only.length && existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')).results.filter((r) => !ran.has(r.file)) : [];
writeFileSync(out, `${JSON.stringify({ date: new Date().toISOString(), node: process.version, results: [...kept, ...results] }, null, 2)}\n`);
console.log(`\n${results.length} results written to ${relative(root, out)}${failed ? `; ${failed} benchmark(s) failed` : ''}`);
const { render } = await import('./bench-report.mjs');
console.log(`report: ${relative(root, render(out))}`);
process.exit(failed ? 1 : 0);
