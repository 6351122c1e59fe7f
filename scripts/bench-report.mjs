#!/usr/bin/env node
// Renders a results file of `pnpm bench` (bench/results/<date>.json) into docs/benchmarks.md with
// SVG charts in docs/benchmarks/. Run by scripts/bench.mjs after the benchmarks; also by hand:
//   node scripts/bench-report.mjs [bench/results/<date>.json] [--out <dir>]   (default dir: docs)
//
// It knows three shapes of result line (each benchmark prints JSON lines, see scripts/bench.mjs):
// - comparisons: `{ kind: 'comparison', name, unit, contenders: [{ name, opsPerSec: {median,min,max},
//   keywardRatio }], pairs? }` — a bar chart each;
// - ratios against a target: `{ name | bench, ratio: number | {median,min,max}, target, pass? }`;
// - anything else: listed with its numeric fields.
import { cpus } from 'node:os';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { barChart, fmt } from './bench-chart.mjs';

export { barChart } from './bench-chart.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function latestResults() {
  const dir = join(root, 'bench', 'results');
  if (!existsSync(dir)) return null;
  const files = readdirSync(dir)
    .filter((f) => /^\d{4}-\d{2}-\d{2}\.json$/.test(f))
    .sort();
  return files.length ? join(dir, files.at(-1)) : null;
}

const nameOf = (r) => r.name ?? r.bench ?? basename(r.file ?? 'result');
const asRange = (v) => (typeof v === 'number' ? { median: v, min: v, max: v } : v && typeof v.median === 'number' ? v : null);
const slug = (s) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** For a ratio with a target: is higher better? `pass` tells when given; else ms-ratios are lower-better. */
function higherIsBetter(r, ratio) {
  if (r.better === 'higher' || r.better === 'lower') return r.better === 'higher';
  if (typeof r.pass === 'boolean' && ratio !== r.target) return r.pass === ratio > r.target;
  return !/p50|p99|latency|ms/i.test(`${nameOf(r)} ${r.unit ?? ''}`);
}

/** The HTTP target (issue 16): Keyward ÷ the floor (a middleware that only hashes the token), on every framework. */
const FLOOR_TARGET = 0.95;

/** Writes `<outDir>/benchmarks.md` and its charts in `<outDir>/benchmarks/`; returns the page's path. */
export function render(resultsFile, outDir = join(root, 'docs')) {
  const data = JSON.parse(readFileSync(resultsFile, 'utf8'));
  const results = data.results ?? [];
  const chartDir = join(outDir, 'benchmarks');
  mkdirSync(chartDir, { recursive: true });
  const md = [];
  const behind = [];
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  md.push('# Benchmarks', '');
  md.push(
    `Measured by \`pnpm bench\` on ${data.date?.slice(0, 10) ?? 'an unknown date'} with Node ${data.node ?? process.version}, ${cpus().length} cores (${cpu}), a shared and noisy machine. ` +
      'Every figure is a median over several rounds with min–max; every comparison is a ratio of two figures taken in the same run, in alternating rounds. ' +
      `Raw results: [\`${relative(root, resultsFile)}\`](../${relative(root, resultsFile)}). Regenerate with \`pnpm bench\` (or \`node scripts/bench-report.mjs\` for this page alone).`,
    '',
  );

  const comparisons = results.filter((r) => r.kind === 'comparison' && Array.isArray(r.contenders));
  const ratios = results.filter((r) => r.kind !== 'comparison' && asRange(r.ratio) && typeof r.target === 'number');
  const others = results.filter((r) => !comparisons.includes(r) && !ratios.includes(r));

  if (comparisons.length) {
    md.push('## Keyward and the alternatives', '');
    for (const r of comparisons) {
      const file = `${slug(nameOf(r))}.svg`;
      const bars = r.contenders.map((c, i) => ({ label: c.name, ...asRange(c.opsPerSec), highlight: i === 0 || /keyward/i.test(c.name) }));
      writeFileSync(
        join(chartDir, file),
        barChart({
          title: `${nameOf(r)} — ${r.keysStored?.toLocaleString('en') ?? '?'} keys stored`,
          unit: r.unit ?? 'ops/s',
          bars,
          better: 'higher',
        }),
      );
      md.push(`### ${nameOf(r)}`, '', `![${nameOf(r)}](benchmarks/${file})`, '');
      md.push(`| contender | ${r.unit ?? 'ops/s'} (median) | min–max | Keyward ÷ contender |`, '| --- | ---: | ---: | ---: |');
      for (const c of r.contenders) {
        const v = asRange(c.opsPerSec);
        const k = asRange(c.keywardRatio);
        md.push(
          `| ${c.name} | ${fmt(v.median)} | ${fmt(v.min)}–${fmt(v.max)} | ${k ? `${k.median.toFixed(2)} (${k.min.toFixed(2)}–${k.max.toFixed(2)})` : '—'} |`,
        );
        if (k && k.median < 1) behind.push(`${nameOf(r)}: ${r.contenders[0].name} reaches ${k.median.toFixed(2)} × ${c.name}.`);
      }
      for (const p of r.pairs ?? []) {
        md.push('', `${p.name}: **${p.ratio.median.toFixed(2)}** (${p.ratio.min.toFixed(2)}–${p.ratio.max.toFixed(2)}).`);
        // Issue 7: at least 10 × better-auth on the same store.
        if (/better-auth/.test(p.name) && p.ratio.median < 10) behind.push(`${p.name}: ${p.ratio.median.toFixed(2)}, target ≥ 10.`);
      }
      md.push('');
    }
  }

  // HTTP: each framework's "Keyward / no auth" next to its floor, a middleware that only hashes the token.
  const frameworkOf = (r) => nameOf(r).split(':')[0];
  const floors = new Map(results.filter((r) => /the floor\)$/.test(nameOf(r)) && asRange(r.ratio)).map((r) => [frameworkOf(r), asRange(r.ratio)]));
  // Measured directly (route A the floor, route B Keyward) where the run has it; else Keyward / no auth ÷ floor / no auth.
  const direct = new Map(
    results.filter((r) => /: Keyward \/ the floor/.test(nameOf(r)) && asRange(r.ratio)).map((r) => [frameworkOf(r), asRange(r.ratio)]),
  );
  const httpRows = results.filter((r) => floors.has(frameworkOf(r)) && /: Keyward \/ no auth$/.test(nameOf(r)) && asRange(r.ratio));
  if (httpRows.length) {
    md.push(
      '## HTTP: Keyward and the floor',
      '',
      'Requests/s of a JSON hello-world route with a check ÷ the same route without, one server per framework on CPU 0, ' +
        'the load generator (`tooling/bench-kit/src/alternating-load.ts`) on CPU 1 switching 50 keep-alive connections between the two routes every 100 ms. ' +
        'The floor is a middleware that does nothing but take the SHA-256 of the token (`node:crypto`): the least any check of stored hashes must do. ' +
        `The target is Keyward ÷ floor ≥ ${FLOOR_TARGET} on every framework: what Keyward adds to the hash ` +
        '(reading the header, the format, the lookup, the checks, the result) may cost at most 5 % of the requests.',
      '',
    );
    const file = 'http-floor.svg';
    writeFileSync(
      join(chartDir, file),
      barChart({
        title: 'HTTP requests/s with a check ÷ without: Keyward (blue) next to the floor, the SHA-256 of the token alone (light)',
        unit: 'requests/s ÷ requests/s of the same route without authentication',
        better: 'higher',
        bars: httpRows.flatMap((r) => [
          { label: `${frameworkOf(r)}: Keyward`, ...asRange(r.ratio), highlight: true },
          { label: `${frameworkOf(r)}: the floor`, ...floors.get(frameworkOf(r)), muted: true },
        ]),
      }),
    );
    md.push(`![HTTP: Keyward and the floor](benchmarks/${file})`, '');
    md.push('| framework | Keyward / no auth | floor / no auth | Keyward ÷ floor | target | met |', '| --- | ---: | ---: | ---: | ---: | :---: |');
    for (const r of httpRows) {
      const k = asRange(r.ratio).median;
      const f = floors.get(frameworkOf(r)).median;
      const d = direct.get(frameworkOf(r));
      const ratio = d ? d.median : k / f;
      const met = ratio >= FLOOR_TARGET;
      // A measured Keyward / floor line is listed with the other ratios against their targets.
      if (!met && !d) behind.push(`${frameworkOf(r)}: Keyward ÷ floor ${ratio.toFixed(3)}, target ≥ ${FLOOR_TARGET}.`);
      md.push(
        `| ${frameworkOf(r)} | ${k.toFixed(3)} | ${f.toFixed(3)} | ${ratio.toFixed(3)}${d ? ' (measured)' : ''} | ≥ ${FLOOR_TARGET} | ${met ? 'yes' : '**no**'} |`,
      );
    }
    md.push('');
  }

  if (ratios.length) {
    md.push('## Ratios against their targets', '');
    const rows = ratios.map((r) => {
      const v = asRange(r.ratio);
      const higher = higherIsBetter(r, v.median);
      const pass = higher ? v.median >= r.target : v.median <= r.target;
      const floor = floors.get(frameworkOf(r));
      const floorNote =
        floor === undefined || !/no auth$/.test(nameOf(r))
          ? ''
          : ` The floor (SHA-256 of the token alone) is ${floor.median.toFixed(3)} in the same run.`;
      if (!pass) behind.push(`${nameOf(r)}: ${v.median.toFixed(3)}, target ${higher ? '≥' : '≤'} ${r.target}.${floorNote}`);
      return { r, v, higher, pass };
    });
    // One chart per direction, each ratio divided by its target, so that 1.0 is the line for all of them.
    const charts = [];
    for (const higher of [true, false]) {
      const side = rows.filter((row) => row.higher === higher);
      if (side.length === 0) continue;
      const file = higher ? 'ratios-higher.svg' : 'ratios-lower.svg';
      writeFileSync(
        join(chartDir, file),
        barChart({
          title: `Ratio ÷ target (${higher ? '≥ 1 meets the target' : '≤ 1 meets the target'})`,
          unit: 'ratio ÷ target',
          better: higher ? 'higher' : 'lower',
          bars: side.map(({ r, v, pass }) => ({
            label: nameOf(r),
            median: v.median / r.target,
            min: v.min / r.target,
            max: v.max / r.target,
            highlight: pass,
          })),
          target: 1,
        }),
      );
      charts.push(`![ratios, ${higher ? 'higher' : 'lower'} is better](benchmarks/${file})`, '');
    }
    md.push(...charts, '| benchmark | ratio (median) | min–max | target | met |', '| --- | ---: | ---: | ---: | :---: |');
    for (const { r, v, higher, pass } of rows) {
      md.push(
        `| ${nameOf(r)} | ${v.median.toFixed(3)} | ${v.min.toFixed(3)}–${v.max.toFixed(3)} | ${higher ? '≥' : '≤'} ${r.target} | ${pass ? 'yes' : '**no**'} |`,
      );
    }
    md.push('');
  }

  if (others.length) {
    md.push('## Other measurements', '', '| benchmark | figures |', '| --- | --- |');
    for (const r of others) {
      const figures = Object.entries(r)
        .filter(([k, v]) => k !== 'file' && k !== 'name' && k !== 'bench' && (typeof v === 'number' || asRange(v)))
        .map(([k, v]) => `${k} ${typeof v === 'number' ? fmt(v) : `${fmt(v.median)} (${fmt(v.min)}–${fmt(v.max)})`}`)
        .join(', ');
      md.push(`| ${nameOf(r)} | ${figures || '—'} ${r.unit ? `(${r.unit})` : ''} |`);
    }
    md.push('');
  }

  md.splice(
    4,
    0,
    '## Where Keyward is behind',
    '',
    ...(behind.length ? behind.map((b) => `- ${b}`) : ['Nowhere in this run: every comparison and target was met.']),
    '',
  );
  const page = join(outDir, 'benchmarks.md');
  writeFileSync(page, `${md.join('\n')}\n`);
  return page;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const outAt = args.indexOf('--out');
  const outDir = outAt >= 0 ? args.splice(outAt, 2)[1] : undefined;
  const file = args[0] ?? latestResults();
  if (!file) {
    console.error('no results: run `pnpm bench` first');
    process.exit(2);
  }
  console.log(`wrote ${relative(root, render(file, outDir))}`);
}
