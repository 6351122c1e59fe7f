const DAY_MS = 86_400_000;
const DAY_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 (UTC) of a time in milliseconds. */
export function dayNumber(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** `YYYY-MM-DD` of a day number. */
export function dayString(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The UTC day of a `Date`, of `YYYY-MM-DD`, or of an ISO 8601 time, as a day number; `null` when
 * it is none of these.
 */
export function parseDay(value: unknown): number | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : dayNumber(value.getTime());
  if (typeof value !== 'string') return null;
  const m = DAY_RE.exec(value);
  if (m) {
    const ms = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
    // Refuses 2025-02-30 instead of rolling it over to March.
    return dayString(dayNumber(ms)) === value ? dayNumber(ms) : null;
  }
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? null : dayNumber(ms);
}
