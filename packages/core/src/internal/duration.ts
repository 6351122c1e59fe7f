const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const DURATION_RE = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)$/;

/** A duration as milliseconds, or as text: `'90s'`, `'15m'`, `'1h'`, `'24h'`, `'7d'`, `'2w'`. */
export type Duration = number | `${number}${'ms' | 's' | 'm' | 'h' | 'd' | 'w'}`;

/** Milliseconds of a duration. @throws {RangeError} for a negative, non-finite or unreadable one. */
export function toMilliseconds(value: Duration, what: string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`${what} must be a finite number of milliseconds ≥ 0`);
    return value;
  }
  const m = typeof value === 'string' ? DURATION_RE.exec(value.trim()) : null;
  if (!m) throw new RangeError(`${what} must be milliseconds or a duration such as "1h", "24h" or "7d", got ${JSON.stringify(value)}`);
  return Number(m[1]) * UNITS[m[2]!]!;
}
