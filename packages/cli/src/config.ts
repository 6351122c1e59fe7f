import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Hasher, KeyFormat, Keyward, KeywardOptions } from '@keyward/core';
import { UsageError } from './args.js';

/**
 * What a `--config` module exports, as `keyward` (or as its default export): the app's engine
 * (`createKeyward(...)`), or the options it is built with — at least its `format`, and its `hash`
 * when it is not the default SHA-256. The command takes the key formats and the hashers from it,
 * so that the keys it creates and rotates are exactly the app's; it uses its own store
 * (`--store`), never the engine's.
 *
 * @example keyward.config.mjs
 * ```js
 * import { hmacSha256Hasher, prefixedFormat } from '@keyward/core';
 * export const keyward = {
 *   format: prefixedFormat({ prefix: 'tipar', environments: ['live'], checksum: false }),
 *   hash: hmacSha256Hasher({ pepper: process.env.KEYWARD_PEPPER }),
 * };
 * ```
 */
export type CliConfig = Keyward | Pick<KeywardOptions, 'format' | 'hash'>;

/** The app's formats and hashers, read from a `--config` module. */
export interface AppConfig {
  /** The module, as given. */
  readonly path: string;
  /** In the app's order: the first is the one new keys get, unless `--format` names another. */
  readonly formats: readonly KeyFormat[];
  /** The app's hashers (the first hashes new keys), or undefined for the engine's default. */
  readonly hashers: readonly Hasher[] | undefined;
}

const isFormat = (f: unknown): f is KeyFormat =>
  typeof f === 'object' &&
  f !== null &&
  typeof (f as KeyFormat).name === 'string' &&
  ['generate', 'parse', 'matches', 'redact'].every((m) => typeof (f as never)[m] === 'function');
const isHasher = (h: unknown): h is Hasher =>
  typeof h === 'object' && h !== null && typeof (h as Hasher).hash === 'function' && typeof (h as Hasher).version === 'string';
const list = <T>(value: T | readonly T[] | undefined): readonly T[] | undefined => (value === undefined ? undefined : ([] as T[]).concat(value as T));

/** Loads the module (relative to `cwd`) and reads its `keyward` export. */
export async function loadConfig(path: string, cwd: string): Promise<AppConfig> {
  let mod: { keyward?: unknown; default?: unknown };
  try {
    mod = (await import(pathToFileURL(resolve(cwd, path)).href)) as typeof mod;
  } catch (error) {
    // The message of a module that failed may carry anything: only its kind is shown.
    const code = (error as { code?: unknown }).code;
    throw new UsageError(
      `cannot load --config ${path}${typeof code === 'string' ? ` (${code})` : ''}: it must be a module Node can import (.mjs or .js; .ts needs a loader such as tsx)`,
    );
  }
  const value = (mod.keyward ?? (mod.default as { keyward?: unknown } | undefined)?.keyward ?? mod.default) as
    | { formats?: unknown; hashers?: unknown; format?: KeyFormat | readonly KeyFormat[]; hash?: Hasher | readonly Hasher[] }
    | undefined;
  const shape = `--config ${path} must export \`keyward\`: your app's engine, or the options it is built with ({ format, hash })`;
  if (typeof value !== 'object' || value === null) throw new UsageError(shape);
  // An engine carries its formats and hashers; options name them as createKeyward takes them.
  const engine = Array.isArray(value.formats) && Array.isArray(value.hashers);
  const formats = (engine ? value.formats : list(value.format)) as readonly unknown[] | undefined;
  const hashers = (engine ? value.hashers : list(value.hash)) as readonly unknown[] | undefined;
  if (formats === undefined || formats.length === 0) throw new UsageError(`${shape}; it has no key format`);
  if (!formats.every(isFormat)) throw new UsageError(`${shape}; its format is not a KeyFormat (prefixedFormat(...), idSecretFormat(...))`);
  if (hashers !== undefined && (hashers.length === 0 || !hashers.every(isHasher))) throw new UsageError(`${shape}; its hash is not a Hasher`);
  return { path, formats: formats as readonly KeyFormat[], hashers: hashers as readonly Hasher[] | undefined };
}
