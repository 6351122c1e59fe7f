import { formatCount, formatDay } from './format.js';

/** Requests per day, oldest first, every day of the range (zeros included). */
export interface UsageSeries {
  readonly days: readonly { readonly day: string; readonly count: number }[];
}

const WIDTH = 90;
const HEIGHT = 26;

/**
 * A key's requests per day as a small bar chart (SVG). Screen readers get its summary (total,
 * busiest day, today) as the image's name; each bar's title gives its day and count on hover.
 */
export function UsageChart({ series, label }: { series: UsageSeries; label: string }) {
  const days = series.days;
  const total = days.reduce((sum, d) => sum + d.count, 0);
  const peak = days.reduce((best, d) => (d.count > best.count ? d : best), days[0] ?? { day: '', count: 0 });
  const summary =
    total === 0
      ? `${label}: no requests in the last ${days.length} days`
      : `${label}: ${formatCount(total)} requests in the last ${days.length} days, at most ${formatCount(peak.count)} on ${formatDay(peak.day)}, ${formatCount(days.at(-1)?.count ?? 0)} today`;
  const step = days.length === 0 ? WIDTH : WIDTH / days.length;
  const bar = Math.max(1, step - 1);
  return (
    <div className="kw-usage">
      <svg className="kw-spark" viewBox={`0 0 ${WIDTH} ${HEIGHT}`} width={WIDTH} height={HEIGHT} role="img" aria-label={summary}>
        <line className="kw-spark-base" x1={0} y1={HEIGHT - 0.5} x2={WIDTH} y2={HEIGHT - 0.5} />
        {days.map((d, i) => {
          const h = peak.count === 0 ? 0 : Math.max(d.count > 0 ? 2 : 0, Math.round((d.count / peak.count) * (HEIGHT - 2)));
          return (
            <rect key={d.day} className="kw-spark-bar" x={i * step} y={HEIGHT - 1 - h} width={bar} height={h}>
              <title>{`${formatDay(d.day)}: ${formatCount(d.count)}`}</title>
            </rect>
          );
        })}
      </svg>
      <span className="kw-usage-total" aria-hidden="true">
        {formatCount(total)}
      </span>
    </div>
  );
}

/** One series per key, from the workspace's usage report (which lists days with use only). */
export function seriesByKey(report: {
  readonly days: readonly { readonly day: string }[];
  readonly byKeyAndDay: readonly { readonly keyId: string; readonly day: string; readonly count: number }[];
}): (keyId: string) => UsageSeries {
  const counts = new Map<string, Map<string, number>>();
  for (const row of report.byKeyAndDay) {
    let days = counts.get(row.keyId);
    if (days === undefined) {
      days = new Map();
      counts.set(row.keyId, days);
    }
    days.set(row.day, (days.get(row.day) ?? 0) + row.count);
  }
  return (keyId) => {
    const days = counts.get(keyId);
    return { days: report.days.map(({ day }) => ({ day, count: days?.get(day) ?? 0 })) };
  };
}
