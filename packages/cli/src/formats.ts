import { idSecretFormat, type KeyFormat, prefixedFormat } from '@keyward/core';
import { UsageError, type Values } from './args.js';
import type { AppConfig } from './config.js';

/** A built-in format with its default options, by its stored name (a prefix, or `id-secret`). */
function builtin(name: string): KeyFormat {
  return name === 'id-secret' ? idSecretFormat() : prefixedFormat({ prefix: name });
}

/**
 * The formats of the engine: with `--config`, the app's own (the one `--format` names first);
 * without, the built-in format `--format` / `--prefix` ask for (default options), and those of
 * stored or imported keys, by name.
 */
export function formatsFor(values: Values, config: AppConfig | null, others: readonly (string | undefined)[] = []): KeyFormat[] {
  if (config !== null) {
    if (values.prefix !== undefined) throw new UsageError('--prefix does not apply with --config: the formats of your config decide');
    const names = config.formats.map((f) => f.name);
    const wanted = values.format ?? names[0]!;
    const first = config.formats.find((f) => f.name === wanted);
    if (first === undefined)
      throw new UsageError(`--format ${JSON.stringify(wanted)} is not a format of --config ${config.path} (it has ${names.join(', ')})`);
    return [first, ...config.formats.filter((f) => f !== first)];
  }
  const formats: KeyFormat[] = [];
  const wanted = values.format ?? 'prefixed';
  if (wanted !== 'prefixed' && wanted !== 'id-secret') throw new UsageError(`--format must be prefixed or id-secret, got ${JSON.stringify(wanted)}`);
  try {
    formats.push(wanted === 'id-secret' ? idSecretFormat() : prefixedFormat({ prefix: values.prefix ?? 'kw' }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  for (const name of others) {
    if (name === undefined || formats.some((f) => f.name === name)) continue;
    try {
      formats.push(builtin(name));
    } catch {
      throw new UsageError(`unknown key format ${JSON.stringify(name)}: prefixed formats are named by their prefix, or id-secret; or pass --config`);
    }
  }
  return formats;
}

/**
 * Checks, before anything is written, that `format` makes keys the app accepts in place of a key
 * with this environment and display prefix: a new key of that environment parses, is the app's to
 * parse with `format` (the engine gives a token to the first format whose `matches` takes it), and
 * shows the same prefix. Throws a `UsageError` that says what does not fit.
 */
export function checkReplacement(format: KeyFormat, formats: readonly KeyFormat[], old: { environment: string | null; prefix: string }): void {
  let key: string;
  try {
    key = format.generate(old.environment === null ? undefined : { environment: old.environment }).key;
  } catch (error) {
    throw new UsageError(`the format ${format.name} of your config cannot make a key like this one: ${(error as Error).message}`);
  }
  const parsed = format.parse(key);
  if ('error' in parsed) throw new UsageError(`the format ${format.name} of your config makes keys it cannot parse (${parsed.detail})`);
  const picked = formats.find((f) => f.matches(key));
  if (picked !== format)
    throw new UsageError(`your app would read a new ${format.name} key as a ${picked?.name ?? 'foreign'} key: check the order of its formats`);
  const prefix = format.redact(key).split('…')[0] ?? '';
  if (format.lookup === 'hash' && old.prefix !== '' && prefix !== old.prefix) {
    throw new UsageError(`the format ${format.name} of your config makes keys that start with ${prefix}, this key starts with ${old.prefix}`);
  }
}
