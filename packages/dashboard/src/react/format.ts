// Dates and durations as a person reads them, in the browser's language.

const DAY_MS = 86_400_000;

// Made on first use: building an Intl formatter is slow, using one is cheap.
let dateTime: Intl.DateTimeFormat | undefined;
let dateOnly: Intl.DateTimeFormat | undefined;
let utcDay: Intl.DateTimeFormat | undefined;
let relative: Intl.RelativeTimeFormat | undefined;

/** `12 Nov 2026, 14:05` (in the browser's locale and time zone). */
export function formatDateTime(iso: string): string {
  dateTime ??= new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
  return dateTime.format(new Date(iso));
}

/** `12 Nov 2026`. */
export function formatDate(iso: string): string {
  dateOnly ??= new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
  return dateOnly.format(new Date(iso));
}

/** A `YYYY-MM-DD` day (UTC), as a date without time. */
export function formatDay(day: string): string {
  utcDay ??= new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
  return utcDay.format(new Date(`${day}T00:00:00Z`));
}

/** A grace period (`{ value: '24h', seconds: 86400 }`) in words: `24 hours`, `7 days`, `none`. */
export function formatPeriod(seconds: number): string {
  if (seconds <= 0) return 'none';
  const units: [number, string][] = [
    [86_400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
    [1, 'second'],
  ];
  for (const [size, unit] of units) {
    if (seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${unit}${n === 1 ? '' : 's'}`;
    }
  }
  return `${seconds} seconds`;
}

/** An ISO time `days` from now (for expiry choices). */
export function daysFromNow(days: number, now = Date.now()): string {
  return new Date(now + days * DAY_MS).toISOString();
}

/** `1,234` in the browser's locale. */
export function formatCount(n: number): string {
  return n.toLocaleString();
}

/** A past time as people say it: `5 minutes ago`, `yesterday`, `3 days ago`; older: the date. */
export function formatAgo(iso: string, now = Date.now()): string {
  const diff = now - Date.parse(iso);
  relative ??= new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  if (diff < 60_000) return relative.format(0, 'second');
  if (diff < 3_600_000) return relative.format(-Math.floor(diff / 60_000), 'minute');
  if (diff < DAY_MS) return relative.format(-Math.floor(diff / 3_600_000), 'hour');
  if (diff < 7 * DAY_MS) return relative.format(-Math.floor(diff / DAY_MS), 'day');
  return formatDate(iso);
}

/** An expiry: the date, with the time when it is less than two days away. */
export function formatExpiry(iso: string, now = Date.now()): string {
  const left = Date.parse(iso) - now;
  return left > 0 && left < 2 * DAY_MS ? formatDateTime(iso) : formatDate(iso);
}
