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

/** The formats of `findKeys` and `scrubKeys`, checked: a missing one is a clear `TypeError`. */
function formatList(formats: KeyFormat | readonly KeyFormat[] | undefined, what: string): KeyFormat[] {
  const list = formats === undefined || formats === null ? [] : ([] as KeyFormat[]).concat(formats);
  if (list.length === 0 || list.some((f) => !f || !(f.pattern instanceof RegExp) || typeof f.parse !== 'function')) {
    throw new TypeError(
      `${what} needs the key format(s) to look for: ${what}(text, format) with the formats of your engine (keyward.formats), or keyward.${what}(text)`,
    );
  }
  return list;
}

/** Every match of each format's pattern in `text`, in order of position. */
function candidates(text: string, formats: readonly KeyFormat[]): { key: string; index: number; format: KeyFormat }[] {
  const found: { key: string; index: number; format: KeyFormat }[] = [];
  for (const format of formats) {
    const re = new RegExp(format.pattern.source, format.pattern.flags.includes('g') ? format.pattern.flags : `${format.pattern.flags}g`);
    for (const m of text.matchAll(re)) found.push({ key: m[0], index: m.index ?? 0, format });
  }
  return found.sort((a, b) => a.index - b.index);
}

/**
 * Finds well-formed keys of the given formats in text — to detect leaked keys. A candidate counts
 * only when the format parses it (so, with checksums, random look-alikes are ignored). The engine
 * offers the same with its own formats: `keyward.findKeys(text)`.
 * @throws {TypeError} without a format.
 */
export function findKeys(text: string, formats: KeyFormat | readonly KeyFormat[]): FoundKey[] {
  const list = formatList(formats, 'findKeys');
  if (typeof text !== 'string') return [];
  return candidates(text, list)
    .filter((c) => !('error' in c.format.parse(c.key)))
    .map((c) => ({ key: c.key, index: c.index, format: c.format.name }));
}

/**
 * Replaces every key of the formats in `text` by its redacted form — and anything that looks like
 * one (its format's pattern) even when its checksum fails: a mistyped key is still most of a
 * secret. For logs and audit records; `keyward.scrubKeys(text)` uses the engine's formats.
 * @throws {TypeError} without a format.
 */
export function scrubKeys(text: string, formats: KeyFormat | readonly KeyFormat[]): string {
  const list = formatList(formats, 'scrubKeys');
  if (typeof text !== 'string') return text;
  let out = '';
  let last = 0;
  for (const hit of candidates(text, list)) {
    if (hit.index < last) continue;
    out += text.slice(last, hit.index) + hit.format.redact(hit.key);
    last = hit.index + hit.key.length;
  }
  return out + text.slice(last);
}
