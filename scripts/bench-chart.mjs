// The SVG bar charts of docs/benchmarks.md (scripts/bench-report.mjs draws them from bench results).

const escapeXml = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
export const fmt = (n) => (Math.abs(n) >= 1000 ? Math.round(n).toLocaleString('en') : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(3));

const WIDTH = 760;
const FONT = 12;
const LINE = 15;
/** Width of a text at 12 px in a system sans-serif, generously (wide letters, digits): a label never runs past its column. */
const textWidth = (s) =>
  [...String(s)].reduce((w, c) => w + (/[MWmw@%]/.test(c) ? 10.5 : /[A-Z0-9#÷×–—]/.test(c) ? 8 : /[ilj.,:;'|!()[\] ]/.test(c) ? 3.8 : 6.6), 0);

/** Words of `text` in lines no wider than `max` pixels (a longer single word keeps a line of its own). */
export function wrap(text, max, scale = 1) {
  const lines = [];
  let line = '';
  for (const word of String(text).split(' ')) {
    const next = line === '' ? word : `${line} ${word}`;
    if (line !== '' && textWidth(next) * scale > max) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/**
 * Horizontal bars with min–max whiskers, one direction (say which in `better`: `'higher'` or
 * `'lower'`). `bars`: [{ label, median, min, max, highlight, muted }]; a `muted` bar is drawn light
 * (a floor, a reference) next to the bars it explains. Labels sit in a left column as wide as the
 * longest needs (up to 40 % of the chart); longer ones wrap onto more lines, so none is clipped. A
 * logarithmic axis when the values span more than 20×; `target` draws a dashed line.
 */
export function barChart({ title, unit, bars, target, better }) {
  const labelWidth = Math.min(Math.ceil(Math.max(...bars.map((b) => textWidth(b.label)), 60)) + 16, Math.round(WIDTH * 0.4));
  const labels = bars.map((b) => wrap(b.label, labelWidth - 16));
  const rowHeights = labels.map((l) => Math.max(30, l.length * LINE + 10));
  const direction = better === 'lower' ? ' — lower is better' : better === 'higher' ? ' — higher is better' : '';
  // The title is 14 px bold: about 1.5 × as wide as the labels' text.
  const titleLines = wrap(`${title}${direction}`, WIDTH - 20, 1.5);
  const top = 30 + titleLines.length * 18;
  const height = top + rowHeights.reduce((a, b) => a + b, 0) + 40;
  const plot = WIDTH - labelWidth - 90;
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
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${height}" viewBox="0 0 ${WIDTH} ${height}" font-family="system-ui, sans-serif" font-size="${FONT}">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    ...titleLines.map((l, i) => `<text x="10" y="${20 + i * 17}" font-size="14" font-weight="600">${escapeXml(l)}</text>`),
  ];
  let y = top;
  bars.forEach((b, i) => {
    const h = rowHeights[i];
    const mid = y + h / 2;
    const color = b.muted ? '#d1d5db' : b.highlight ? '#2563eb' : '#9ca3af';
    const lines = labels[i];
    lines.forEach((l, j) => {
      out.push(
        `<text x="${labelWidth - 8}" y="${(mid - ((lines.length - 1) * LINE) / 2 + j * LINE + 4).toFixed(1)}" text-anchor="end">${escapeXml(l)}</text>`,
      );
    });
    out.push(
      `<rect x="${labelWidth}" y="${(mid - 9).toFixed(1)}" width="${Math.max(1, x(b.median) - labelWidth).toFixed(1)}" height="18" fill="${color}"/>`,
    );
    if (b.max > b.min) {
      out.push(`<line x1="${x(b.min).toFixed(1)}" x2="${x(b.max).toFixed(1)}" y1="${mid}" y2="${mid}" stroke="#111" stroke-width="1.2"/>`);
      for (const v of [b.min, b.max])
        out.push(`<line x1="${x(v).toFixed(1)}" x2="${x(v).toFixed(1)}" y1="${mid - 5}" y2="${mid + 5}" stroke="#111"/>`);
    }
    out.push(`<text x="${(x(Math.max(b.max, b.median)) + 6).toFixed(1)}" y="${mid + 4}">${escapeXml(fmt(b.median))}</text>`);
    y += h;
  });
  if (target !== undefined) {
    const tx = x(target).toFixed(1);
    out.push(`<line x1="${tx}" x2="${tx}" y1="${top - 4}" y2="${height - 34}" stroke="#dc2626" stroke-dasharray="4 3"/>`);
    out.push(`<text x="${tx}" y="${height - 20}" text-anchor="middle" fill="#dc2626">target ${escapeXml(fmt(target))}</text>`);
  }
  out.push(
    `<text x="${labelWidth}" y="${height - 6}" fill="#555">${escapeXml(unit)}${log ? ' (log scale)' : ''}; bar = median, whisker = min–max</text>`,
  );
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
