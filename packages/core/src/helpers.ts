import type { KeyFormat } from './format/types.js';

/**
 * A display form of a key that cannot be used as the key: its public prefix (up to the last `_`,
 * or the id and the dot of `id.secret` keys) and its last 4 characters. For logs and dashboards.
 *
 * @example redact('tipar_live_aB3dE…9xYz') // 'tipar_live_…9xYz'
 */
export function redact(key: string, format?: KeyFormat): string {
  if (typeof key !== 'string') return '…';
  if (format) return format.redact(key);
  const underscore = key.lastIndexOf('_');
  const dot = key.indexOf('.');
  let visible = '';
  if (dot > 0 && dot <= 64) visible = key.slice(0, dot + 1);
  else if (underscore > 0 && underscore <= 32) visible = key.slice(0, underscore + 1);
  // Show the last 4 only when at least 16 characters stay hidden.
  const tail = key.length - visible.length >= 20 ? key.slice(-4) : '';
  return `${visible}…${tail}`;
}

/** A key found in text, with where it starts. */
export interface FoundKey {
  readonly key: string;
  readonly index: number;
  readonly format: string;
}

/**
 * Finds well-formed keys of the given formats in text — to scrub logs or detect leaked keys. A
 * candidate counts only when the format parses it (so, with checksums, random look-alikes are
 * ignored).
 */
export function findKeys(text: string, formats: KeyFormat | readonly KeyFormat[]): FoundKey[] {
  const found: FoundKey[] = [];
  if (typeof text !== 'string') return found;
  for (const format of ([] as KeyFormat[]).concat(formats)) {
    const re = new RegExp(format.pattern.source, format.pattern.flags.includes('g') ? format.pattern.flags : `${format.pattern.flags}g`);
    for (const m of text.matchAll(re)) {
      if (!('error' in format.parse(m[0]))) found.push({ key: m[0], index: m.index ?? 0, format: format.name });
    }
  }
  return found.sort((a, b) => a.index - b.index);
}

/** Replaces every key of the formats found in `text` by its redacted form. */
export function scrubKeys(text: string, formats: KeyFormat | readonly KeyFormat[]): string {
  let out = '';
  let last = 0;
  const list = ([] as KeyFormat[]).concat(formats);
  for (const hit of findKeys(text, list)) {
    if (hit.index < last) continue;
    const format = list.find((f) => f.name === hit.format)!;
    out += text.slice(last, hit.index) + format.redact(hit.key);
    last = hit.index + hit.key.length;
  }
  return out + text.slice(last);
}
