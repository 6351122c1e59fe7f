import type { KeyFormat } from '../format/types.js';
import type { Logger } from '../instrument/types.js';

/** One line a {@link strictLogger} received. */
export interface LoggedLine {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly fields: Record<string, unknown>;
  readonly message: string;
}

/** A logger for tests that records every line and every secret-looking thing in one. */
export interface StrictLogger extends Required<Logger> {
  readonly lines: readonly LoggedLine[];
  /** What was wrong with each bad line: empty when no line held anything secret-looking. */
  readonly violations: readonly string[];
}

/** Options of {@link strictLogger}. */
export interface StrictLoggerOptions {
  /** Key formats whose keys must never appear (well-formed or not: anything their pattern matches). */
  formats: KeyFormat | readonly KeyFormat[];
  /** Exact strings that must never appear (peppers, keys the test made). */
  secrets?: readonly string[];
}

/**
 * A logger that fails a test on any key, hash or pepper: pass it as `createKeyward({ logger })`,
 * run the test, then `expect(logger.violations).toEqual([])`. It records instead of throwing,
 * because the engine never lets a logger throw into a request. A line counts as bad when its
 * fields or message hold text that a format's pattern matches (a key, even mistyped), a run of
 * 32 or more hexadecimal characters (a SHA-256 digest, or most of one), `Bearer ` (a header), or
 * one of `secrets`.
 *
 * @example
 * ```ts
 * const logger = strictLogger({ formats: [format], secrets: [pepper] });
 * const keyward = createKeyward({ store, format, logger });
 * // … the test …
 * expect(logger.violations).toEqual([]);
 * ```
 */
export function strictLogger(options: StrictLoggerOptions): StrictLogger {
  const formats = ([] as KeyFormat[]).concat(options.formats);
  const patterns = formats.map((f) => new RegExp(f.pattern.source, f.pattern.flags.replace('g', '')));
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 8);
  const lines: LoggedLine[] = [];
  const violations: string[] = [];
  const check = (text: string): string | null => {
    for (let i = 0; i < patterns.length; i++) if (patterns[i]!.test(text)) return `a ${formats[i]!.name} key`;
    if (/[0-9a-fA-F]{32}/.test(text)) return 'a hexadecimal digest';
    if (/bearer\s/i.test(text)) return 'an Authorization header';
    for (const secret of secrets) if (text.includes(secret)) return 'a secret of the test';
    return null;
  };
  const at =
    (level: LoggedLine['level']) =>
    (fields: Record<string, unknown>, message: string): void => {
      lines.push({ level, fields, message });
      let text: string;
      try {
        text = `${JSON.stringify(fields)}\n${String(message)}`;
      } catch {
        violations.push(`${level}: fields that are not JSON (${String(message).slice(0, 60)})`);
        return;
      }
      const found = check(text);
      // Say what was found, never the text itself.
      if (found !== null) violations.push(`${level} ${String(fields.event ?? '')}: ${found}`);
    };
  return { lines, violations, debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}
