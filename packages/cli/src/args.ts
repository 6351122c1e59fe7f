import { parseArgs } from 'node:util';

/** Every option of the command, as `node:util` `parseArgs` reads them. */
export const OPTIONS = {
  store: { type: 'string' },
  schema: { type: 'string' },
  'table-prefix': { type: 'string' },
  'redis-prefix': { type: 'string' },
  channel: { type: 'string' },
  config: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  workspace: { type: 'string' },
  owner: { type: 'string' },
  name: { type: 'string' },
  scopes: { type: 'string' },
  'expires-in': { type: 'string' },
  environment: { type: 'string' },
  format: { type: 'string' },
  prefix: { type: 'string' },
  'include-revoked': { type: 'boolean' },
  limit: { type: 'string' },
  grace: { type: 'string' },
  file: { type: 'string' },
  from: { type: 'string' },
  to: { type: 'string' },
  key: { type: 'string' },
  revoke: { type: 'boolean' },
} as const;

export type OptionName = keyof typeof OPTIONS;

/** The options every command takes. */
export const GLOBAL: readonly OptionName[] = ['store', 'schema', 'table-prefix', 'redis-prefix', 'channel', 'config', 'json', 'help'];

/** The parsed options. */
export type Values = { [K in OptionName]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

/** A mistake of the caller: exit 2, with the help of the command. */
export class UsageError extends Error {}

/** A key the command was told about that does not exist: exit 3. */
export class NotFoundError extends Error {}

/** Parses `argv`; throws a `TypeError` of `parseArgs` for an unknown option. */
export function parse(argv: readonly string[]): { values: Values; positionals: string[] } {
  return parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true }) as { values: Values; positionals: string[] };
}

export function required(values: Values, name: 'workspace' | 'name' | 'file'): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

export function positiveInt(value: string | undefined, what: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${what} must be an integer from 1 to ${max}`);
  return n;
}
