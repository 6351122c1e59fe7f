/**
 * What every store keeps as it is: text without control characters (PostgreSQL's `text` cannot
 * hold a NUL; C0 and C1 controls have no place in an id) and without lone surrogates (they are
 * not UTF-8: PostgreSQL and Redis would store another string), and times within the years
 * 1970-9999 (before 1970 some stores' encodings break, and a JavaScript Date, PostgreSQL and
 * `YYYY-MM-DD` strings all hold that range the same way).
 */

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const UNSTORABLE_RE = /[\u0000-\u001f\u007f-\u009f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether `value` is a string of `1..max` characters that every store keeps as it is. */
export function isStorableText(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length > 0 && value.length <= max && !UNSTORABLE_RE.test(value);
}

/** The first instant every store keeps: 1970-01-01T00:00:00.000Z. */
export const MIN_TIME = 0;
/** The last instant every store keeps: 9999-12-31T23:59:59.999Z. */
export const MAX_TIME = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Whether a time (ms) is one every store keeps. */
export function isStorableTime(ms: number): boolean {
  return ms >= MIN_TIME && ms <= MAX_TIME;
}

/** A time (ms) moved into the range every store keeps: a bound of a read (nothing is stored outside it). */
export function clampTime(ms: number): number {
  return Math.min(MAX_TIME, Math.max(MIN_TIME, ms));
}
