#!/usr/bin/env node
// Renders a results file of `pnpm bench` (bench/results/<date>.json) into docs/benchmarks.md with
// SVG charts in docs/benchmarks/. Run by scripts/bench.mjs after the benchmarks; also by hand:
//   node scripts/bench-report.mjs [bench/results/<date>.json]
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

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

export function latestResults() {
  const dir = join(root, 'bench', 'results');
  if (!existsSync(dir)) return null;
  const files = readdirSync(dir)
    .filter((f) => /^\d{4}-\d{2}-\d{2}\.json$/.test(f))
    .sort();
  return files.length ? join(dir, files.at(-1)) : null;
}

const escapeXml = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const nameOf = (r) => r.name ?? r.bench ?? basename(r.file ?? 'result');
const asRange = (v) => (typeof v === 'number' ? { median: v, min: v, max: v } : v && typeof v.median === 'number' ? v : null);
const fmt = (n) => (Math.abs(n) >= 1000 ? Math.round(n).toLocaleString('en') : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(3));
const slug = (s) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/**
 * Horizontal bars with min–max whiskers. `bars`: [{ label, median, min, max, highlight }].
 * A logarithmic axis when the values span more than 20×, so that small bars stay visible.
 */
export function barChart({ title, unit, bars, target }) {
  const width = 760;
  const labelWidth = 300;
  const rowHeight = 30;
  const top = 40;
  const height = top + bars.length * rowHeight + 36;
  const plot = width - labelWidth - 110;
  const values = bars
    .flatMap((b) => [b.min, b.max, b.median])
    .concat(target ?? [])
    .filter((v) => v > 0);
  const hi = Math.max(...values);
  const lo = Math.min(...values);
  const log = hi / lo > 20;
  const floor = log ? 10 ** Math.floor(Math.log10(lo)) : 0;
  const x = (v) => {
    if (log) return labelWidth + (plot * (Math.log10(Math.max(v, floor)) - Math.log10(floor))) / (Math.log10(hi * 1.1) - Math.log10(floor));
    return labelWidth + (plot * v) / (hi * 1.1);
  };
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="10" y="22" font-size="14" font-weight="600">${escapeXml(title)}</text>`,
  ];
  bars.forEach((b, i) => {
    const y = top + i * rowHeight;
    const color = b.highlight ? '#2563eb' : '#9ca3af';
    out.push(`<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end">${escapeXml(b.label)}</text>`);
    out.push(`<rect x="${labelWidth}" y="${y + 5}" width="${Math.max(1, x(b.median) - labelWidth).toFixed(1)}" height="18" fill="${color}"/>`);
    if (b.max > b.min) {
      out.push(`<line x1="${x(b.min).toFixed(1)}" x2="${x(b.max).toFixed(1)}" y1="${y + 14}" y2="${y + 14}" stroke="#111" stroke-width="1.2"/>`);
      for (const v of [b.min, b.max]) out.push(`<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${y + 9}" y2="${y + 19}" stroke="#111"/>`);
    }
    out.push(`<text x="${(x(Math.max(b.max, b.median)) + 6).toFixed(1)}" y="${y + 18}">${escapeXml(fmt(b.median))}</text>`);
  });
  if (target !== undefined) {
    const tx = x(target).toFixed(1);
    out.push(`<line x1="${tx}" x2="${tx}" y1="${top - 4}" y2="${height - 30}" stroke="#dc2626" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${tx}" y="${height - 16}" text-anchor="middle" fill="#dc2626">target ${escapeXml(fmt(target))}</text>`);
  }
  out.push(
    `<text x="${labelWidth}" y="${height - 4}" fill="#555">${escapeXml(unit)}${log ? ' (log scale)' : ''}; bar = median, whisker = min–max</text>`,
  );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/** For a ratio with a target: is higher better? `pass` tells when given; else ms-ratios are lower-better. */
function higherIsBetter(r, ratio) {
  if (r.better === 'higher' || r.better === 'lower') return r.better === 'higher';
  if (typeof r.pass === 'boolean' && ratio !== r.target) return r.pass === ratio > r.target;
  return !/p50|p99|latency|ms/i.test(`${nameOf(r)} ${r.unit ?? ''}`);
}

export function render(resultsFile) {
  const data = JSON.parse(readFileSync(resultsFile, 'utf8'));
  const results = data.results ?? [];
  const chartDir = join(root, 'docs', 'benchmarks');
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
        barChart({ title: `${nameOf(r)} — ${r.keysStored?.toLocaleString('en') ?? '?'} keys stored`, unit: r.unit ?? 'ops/s', bars }),
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
  const floors = new Map(
    results.filter((r) => /the floor\)$/.test(nameOf(r)) && asRange(r.ratio)).map((r) => [frameworkOf(r), asRange(r.ratio).median]),
  );
  const httpRows = ratios.filter((r) => floors.has(frameworkOf(r)) && /no auth$/.test(nameOf(r)));
  if (httpRows.length) {
    md.push(
      '## HTTP: Keyward and the floor',
      '',
      'Requests/s of a JSON hello-world route with a check ÷ the same route without, one server per framework on CPU 0, ' +
        'the load generator (`tooling/bench-kit/src/alternating-load.ts`) on CPU 1 switching 50 keep-alive connections between the two routes every 100 ms. ' +
        'The floor is a middleware that does nothing but take the SHA-256 of the token (`node:crypto`): the least any check of stored hashes must do. ' +
        'Where the floor is under the target, no check of hashed keys can meet that target on this machine; Keyward ÷ floor is what Keyward adds to the hash ' +
        '(reading the header, the format, the lookup, the checks, the result).',
      '',
      '| framework | Keyward / no auth | floor / no auth | target | Keyward ÷ floor |',
      '| --- | ---: | ---: | ---: | ---: |',
    );
    for (const r of httpRows) {
      const k = asRange(r.ratio).median;
      const f = floors.get(frameworkOf(r));
      md.push(
        `| ${frameworkOf(r)} | ${k.toFixed(3)} | ${f.toFixed(3)}${f < r.target ? ' (under the target)' : ''} | ≥ ${r.target} | ${(k / f).toFixed(3)} |`,
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
        floor === undefined || !/no auth$/.test(nameOf(r)) ? '' : ` The floor (SHA-256 of the token alone) is ${floor.toFixed(3)} in the same run.`;
      if (!pass) behind.push(`${nameOf(r)}: ${v.median.toFixed(3)}, target ${higher ? '≥' : '≤'} ${r.target}.${floorNote}`);
      return { r, v, higher, pass };
    });
    const file = 'ratios.svg';
    // One chart, each ratio divided by its target, so that 1.0 is the line for all of them.
    writeFileSync(
      join(chartDir, file),
      barChart({
        title: 'Ratio ÷ target (≥ 1 meets a higher-is-better target; ≤ 1 a lower-is-better one)',
        unit: 'ratio ÷ target',
        bars: rows.map(({ r, v, pass }) => ({
          label: nameOf(r),
          median: v.median / r.target,
          min: v.min / r.target,
          max: v.max / r.target,
          highlight: pass,
        })),
        target: 1,
      }),
    );
    md.push(`![ratios](benchmarks/${file})`, '', '| benchmark | ratio (median) | min–max | target | met |', '| --- | ---: | ---: | ---: | :---: |');
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
    3,
    0,
    '## Where Keyward is behind',
    '',
    ...(behind.length ? behind.map((b) => `- ${b}`) : ['Nowhere in this run: every comparison and target was met.']),
    '',
  );
  const page = join(root, 'docs', 'benchmarks.md');
  writeFileSync(page, `${md.join('\n')}\n`);
  return page;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const file = process.argv[2] ?? latestResults();
  if (!file) {
    console.error('no results: run `pnpm bench` first');
    process.exit(2);
  }
  console.log(`wrote ${relative(root, render(file))}`);
}
