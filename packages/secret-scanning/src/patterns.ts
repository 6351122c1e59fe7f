import type { Keyward, SecretScanningPattern } from '@keyward/core';

/** A format's pattern, with the format's name. */
export interface FormatPattern extends SecretScanningPattern {
  /** The `KeyFormat.name` it belongs to. */
  readonly format: string;
}

/**
 * What to send GitHub when you register: the pattern of each format of the engine that has one
 * (prefixed formats; `{id}.{secret}` keys have no unique prefix and cannot be registered).
 *
 * @example
 * ```ts
 * for (const p of secretScanningPatterns(keyward)) console.log(p.type, p.secret, p.before, p.after);
 * ```
 */
export function secretScanningPatterns(keyward: Pick<Keyward, 'formats'>): FormatPattern[] {
  const out: FormatPattern[] = [];
  for (const format of keyward.formats) {
    const pattern = format.secretScanningPattern?.();
    if (pattern) out.push({ ...pattern, format: format.name });
  }
  return out;
}
