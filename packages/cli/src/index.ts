/**
 * The `keyward` command, as a function: `run(argv)` parses the arguments, runs one command against
 * the store named by `--store` (or KEYWARD_STORE_URL), writes to the given streams, and returns the
 * exit code. `bin.ts` is the executable around it.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import {
  createKeyward,
  idSecretFormat,
  isKeywardError,
  prefixedFormat,
  type ApiKey,
  type ImportKeyInput,
  type KeyFormat,
  type KeyStore,
  type Keyward,
} from '@keyward/core';
import { postgresStore, type PostgresStore } from '@keyward/store-postgres';
import { redisStore } from '@keyward/store-redis';
import { openEmbedded } from './commands/embedded-url.js';
import { exportStore } from './commands/export-store.js';
import { importStore } from './commands/import-store.js';
import { parseTransfer, TransferFormatError } from './commands/transfer-format.js';

/** Exit codes, documented in the README. */
export const EXIT = { ok: 0, failure: 1, usage: 2, notFound: 3, unreachable: 4 } as const;

export interface CliIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
}

class UsageError extends Error {}

const GLOBAL_HELP = `Usage: keyward [--store URL] [--json] <command> [options]

Manage the API keys of a Keyward store (PostgreSQL, embedded PostgreSQL or Redis).

Commands:
  migrate                     create or update the PostgreSQL schema (Redis needs none)
  keys create                 create a key; prints it once
  keys list                   list the keys of a workspace or an owner
  keys show <id>              show one key
  keys rename <id>            rename a key
  keys revoke <id>            revoke a key at once
  keys rotate <id>            replace a key; prints the new one once
  keys import                 import keys whose hashes come from another system
  audit                       read the audit log of a workspace
  usage                       requests per day of a key or a workspace
  export                      write the whole store (hashes, never keys) as JSON lines on stdout
  import                      write an export into a store (idempotent; refuses conflicts)

Global options:
  --store URL                 postgres://…, redis://… or embedded:DIR (or KEYWARD_STORE_URL)
  --schema NAME               PostgreSQL schema (default public)
  --table-prefix P            PostgreSQL table prefix (default keyward_)
  --redis-prefix P            Redis key prefix (default keyward:)
  --json                      machine-readable output on stdout
  -h, --help                  help for any command

Exit codes: 0 done, 1 failed, 2 bad usage, 3 not found, 4 store unreachable.
`;

const HELP: Record<string, string> = {
  migrate:
    'Usage: keyward migrate --store postgres://…\n\nApplies the pending migrations of @keyward/store-postgres (idempotent). Redis needs none.\n',
  'keys create': `Usage: keyward keys create --workspace W --name N [options]

  --workspace W          the workspace the key reaches (required)
  --name N               a label that says where the key is used (required)
  --scopes a:b,c:d       scopes, comma-separated
  --expires-in 30d       expiry relative to now (s, m, h, d)
  --environment ENV      environment of the key (live, test)
  --format F             prefixed (default) or id-secret
  --prefix P             prefix of prefixed keys (default kw)

Prints the key once on stdout; store it now, Keyward keeps only its hash.
`,
  'keys list': 'Usage: keyward keys list (--workspace W | --owner O) [--include-revoked] [--limit N]\n',
  'keys show': 'Usage: keyward keys show <id>\n',
  'keys rename': 'Usage: keyward keys rename <id> --name N\n',
  'keys revoke': 'Usage: keyward keys revoke <id>\n\nThe key stops working at once (within a second on every instance with an invalidation bus).\n',
  'keys rotate':
    'Usage: keyward keys rotate <id> [--grace 24h]\n\nCreates a key with the same settings and prints it once. The old key dies at once, or after --grace.\n',
  'keys import': `Usage: keyward keys import --file keys.json

The file holds a JSON array, or one JSON object per line, of keys made by another system:
  {"hash": "<sha256 hex of the secret>", "name": "…", "hint": "last 4", "workspaceId": "…",
   "id"?, "ownerId"?, "format"?, "prefix"?, "scopes"?, "expiresAt"?, "legacy"?, "sunsetAt"?, "createdAt"?}
`,
  audit: 'Usage: keyward audit --workspace W [--from DATE] [--to DATE] [--limit N]\n',
  export: `Usage: keyward export --store (postgres://… | embedded:DIR) > store.jsonl

Writes every key (its hash: no plaintext exists to export), the usage counts, the audit log and the
counters as JSON lines. Stop the app first when the store is embedded (one process owns it).
`,
  import: `Usage: keyward import --store (postgres://… | embedded:DIR) --file store.jsonl

Writes a file made by "keyward export" into the store. Idempotent: records it holds already are left
alone. A key it holds with other content is a conflict: then nothing is written. Run "keyward migrate"
on a server first.
`,
  usage: 'Usage: keyward usage (--key ID | --workspace W) --from YYYY-MM-DD --to YYYY-MM-DD\n',
};

const OPTIONS = {
  store: { type: 'string' },
  schema: { type: 'string' },
  'table-prefix': { type: 'string' },
  'redis-prefix': { type: 'string' },
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
} as const;

const GLOBAL = ['store', 'schema', 'table-prefix', 'redis-prefix', 'json', 'help'];
const ALLOWED: Record<string, string[]> = {
  migrate: [],
  'keys create': ['workspace', 'name', 'scopes', 'expires-in', 'environment', 'format', 'prefix'],
  'keys list': ['workspace', 'owner', 'include-revoked', 'limit'],
  'keys show': [],
  'keys rename': ['name'],
  'keys revoke': [],
  'keys rotate': ['grace'],
  'keys import': ['file'],
  audit: ['workspace', 'from', 'to', 'limit'],
  usage: ['key', 'workspace', 'from', 'to'],
  export: [],
  import: ['file'],
};
const NEEDS_ID = new Set(['keys show', 'keys rename', 'keys revoke', 'keys rotate']);

type Values = { [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K]['type'] extends 'boolean' ? boolean : string };

/** A store URL without its password, for messages. */
function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an invalid URL)';
  }
}

interface OpenedStore {
  store: KeyStore;
  kind: 'postgres' | 'redis';
  /** The store as PostgreSQL (a server or embedded), for export and import. */
  postgres?: PostgresStore;
  ping(): Promise<void>;
  migrate(): Promise<number[]>;
  close(): Promise<void>;
}

async function openStore(url: string, values: Values): Promise<OpenedStore> {
  const scheme = url.slice(0, url.indexOf(':'));
  if (scheme === 'embedded') {
    if (url === 'embedded:') throw new UsageError('embedded:DIR needs the data directory, e.g. embedded:.keyward');
    const store = await openEmbedded(url, { schema: values.schema, tablePrefix: values['table-prefix'] });
    return {
      store,
      postgres: store,
      kind: 'postgres',
      ping: async () => undefined,
      migrate: async () => (await store.migrate()).applied,
      close: () => store.close(),
    };
  }
  if (scheme === 'postgres' || scheme === 'postgresql') {
    const store = postgresStore(
      { connectionString: url, poolConfig: { connectionTimeoutMillis: 3000, max: 2 } },
      { schema: values.schema, tablePrefix: values['table-prefix'] },
    );
    return {
      store,
      postgres: store,
      kind: 'postgres',
      ping: async () => void (await store.pool.query('SELECT 1')),
      migrate: async () => (await store.migrate()).applied,
      close: () => store.close(),
    };
  }
  if (scheme === 'redis' || scheme === 'rediss') {
    const store = redisStore({
      redis: { url, options: { connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null } },
      prefix: values['redis-prefix'],
    });
    store.redis.on('error', () => undefined);
    return {
      store,
      kind: 'redis',
      ping: async () => void (await store.redis.ping()),
      migrate: async () => [],
      close: () => store.close(),
    };
  }
  throw new UsageError(`--store must be a postgres:// or redis:// URL, or embedded:DIR, got ${url.startsWith('embedded') ? url : redactUrl(url)}`);
}

/** The formats the engine needs: the one asked for, and those of stored or imported keys. */
function formatsFor(values: Values, others: readonly (string | undefined)[] = []): KeyFormat[] {
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
      formats.push(name === 'id-secret' ? idSecretFormat() : prefixedFormat({ prefix: name }));
    } catch {
      throw new UsageError(`unknown key format ${JSON.stringify(name)}: prefixed formats are named by their prefix, or id-secret`);
    }
  }
  return formats;
}

function view(key: ApiKey) {
  return {
    id: key.id,
    name: key.name,
    workspaceId: key.workspaceId,
    ownerId: key.ownerId,
    environment: key.environment,
    scopes: key.scopes,
    display: `${key.prefix}…${key.hint}`,
    legacy: key.legacy,
    createdAt: key.createdAt.toISOString(),
    expiresAt: key.expiresAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    sunsetAt: key.sunsetAt?.toISOString() ?? null,
    rotatedToId: key.rotatedToId,
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    metadata: key.metadata,
  };
}

function table(rows: Record<string, unknown>[], columns: string[]): string {
  if (rows.length === 0) return '(none)\n';
  const cell = (v: unknown) => (v === null || v === undefined ? '-' : Array.isArray(v) ? v.join(',') : String(v));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) =>
    values
      .map((v, i) => v.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return `${[line(columns), ...rows.map((r) => line(columns.map((c) => cell(r[c]))))].join('\n')}\n`;
}

function positiveInt(value: string | undefined, what: string, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new UsageError(`${what} must be an integer from 1 to ${max}`);
  return n;
}

function required(values: Values, name: 'workspace' | 'name' | 'file'): string {
  const value = values[name];
  if (typeof value !== 'string' || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

function readImportFile(path: string): ImportKeyInput[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${path}`);
  }
  const trimmed = text.trim();
  try {
    const parsed: unknown = trimmed.startsWith('[')
      ? JSON.parse(trimmed)
      : trimmed
          .split('\n')
          .filter((l) => l.trim())
          .map((l) => JSON.parse(l) as unknown);
    if (!Array.isArray(parsed) || !parsed.every((k) => k && typeof k === 'object' && !Array.isArray(k))) throw new Error('not a list of objects');
    return parsed as ImportKeyInput[];
  } catch (error) {
    throw new UsageError(`${path} must hold a JSON array of keys, or one JSON object per line (${(error as Error).message})`);
  }
}

function readTransferFile(path: string) {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${path}`);
  }
  try {
    return parseTransfer(text);
  } catch (error) {
    if (error instanceof TransferFormatError) throw new UsageError(`${path}: ${error.message}`);
    throw error;
  }
}

/** Runs `keyward <argv>`; returns the exit code. */
export async function run(
  argv: readonly string[],
  io: CliIO = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  const out = (text: string) => io.stdout.write(text);
  const err = (text: string) => io.stderr.write(text);
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: [...argv], options: OPTIONS, allowPositionals: true, strict: true }) as {
      values: Values;
      positionals: string[];
    });
  } catch (error) {
    err(`keyward: ${(error as Error).message}\n\n${GLOBAL_HELP}`);
    return EXIT.usage;
  }
  const command = positionals[0] === 'keys' ? (positionals[1] === undefined ? 'keys' : `keys ${positionals[1]}`) : positionals[0];
  const rest = positionals.slice(positionals[0] === 'keys' ? 2 : 1);
  if (command === undefined || command === 'help') {
    (values.help || command === 'help' ? out : err)(GLOBAL_HELP);
    return values.help || command === 'help' ? EXIT.ok : EXIT.usage;
  }
  if (!(command in ALLOWED)) {
    err(`keyward: unknown command "${command}"\n\n${GLOBAL_HELP}`);
    return EXIT.usage;
  }
  if (values.help) {
    out(HELP[command] ?? GLOBAL_HELP);
    return EXIT.ok;
  }
  const json = values.json === true;

  let opened: OpenedStore | null = null;
  try {
    const allowed = new Set([...GLOBAL, ...ALLOWED[command]!]);
    for (const name of Object.keys(values)) if (!allowed.has(name)) throw new UsageError(`--${name} does not apply to "${command}"`);
    const id = rest[0];
    if (NEEDS_ID.has(command) ? rest.length !== 1 : rest.length !== 0) {
      throw new UsageError(NEEDS_ID.has(command) ? `"${command}" takes one key id` : `"${command}" takes no positional argument`);
    }
    const url = values.store ?? io.env.KEYWARD_STORE_URL;
    if (!url) throw new UsageError('no store: pass --store postgres://… or redis://…, or set KEYWARD_STORE_URL');
    // Check the arguments that need no store before connecting to it.
    if (command === 'keys create') {
      required(values, 'workspace');
      required(values, 'name');
      formatsFor(values);
    }
    if (command === 'keys rename') required(values, 'name');
    if (command === 'keys import') readImportFile(required(values, 'file'));
    if (command === 'keys list' && (values.workspace === undefined) === (values.owner === undefined))
      throw new UsageError('pass one of --workspace or --owner');
    if (command === 'usage' && ((values.key === undefined) === (values.workspace === undefined) || !values.from || !values.to)) {
      throw new UsageError('pass one of --key or --workspace, and --from and --to');
    }
    if (command === 'audit') required(values, 'workspace');
    const transfer = command === 'import' ? readTransferFile(required(values, 'file')) : null;

    try {
      opened = await openStore(url, values);
    } catch (error) {
      if (error instanceof UsageError || (error as Error).name !== 'DataDirInUseError') throw error;
      err(`keyward: ${(error as Error).message}\n`);
      return EXIT.unreachable;
    }
    try {
      await opened.ping();
    } catch {
      err(`keyward: cannot reach the store at ${redactUrl(url)}\n`);
      return EXIT.unreachable;
    }
    const storeOf = opened.store;
    const engine = (formats: readonly (string | undefined)[] = []): Keyward =>
      createKeyward({
        store: storeOf,
        format: formatsFor(values, formats),
        cache: false,
        usage: command === 'usage',
        audit: command === 'audit',
      });
    const existing = async (): Promise<ApiKey> => {
      const key = await engine().get(id!);
      if (key === null) throw Object.assign(new Error(`no key with id ${id}`), { notFound: true });
      return key;
    };
    const print = (data: unknown, human: string) => out(json ? `${JSON.stringify(data, null, 2)}\n` : human);

    switch (command) {
      case 'migrate': {
        const applied = await opened.migrate();
        print(
          { store: opened.kind, applied },
          opened.kind === 'redis'
            ? 'Redis needs no migration.\n'
            : applied.length
              ? `Applied migrations ${applied.join(', ')}.\n`
              : 'The schema is up to date.\n',
        );
        break;
      }
      case 'keys create': {
        const created = await engine().create({
          workspaceId: values.workspace!,
          name: values.name!,
          scopes: values.scopes
            ?.split(',')
            .map((s) => s.trim())
            .filter(Boolean),
          expiresIn: values['expires-in'] as never,
          environment: values.environment,
        });
        err('Store this key now: it is shown once, and Keyward keeps only its hash.\n');
        print({ key: created.key, record: view(created.record) }, `${created.key}\n`);
        if (!json) err(`id ${created.record.id} · workspace ${created.record.workspaceId} · ${created.record.prefix}…${created.record.hint}\n`);
        break;
      }
      case 'keys list': {
        const page = await engine().list({
          workspaceId: values.workspace,
          ownerId: values.owner,
          includeRevoked: values['include-revoked'] === true,
          limit: positiveInt(values.limit, '--limit', 1000) ?? 100,
        });
        const rows = page.items.map(view);
        print({ items: rows, nextCursor: page.nextCursor }, table(rows, ['id', 'name', 'display', 'scopes', 'createdAt', 'expiresAt', 'revokedAt']));
        break;
      }
      case 'keys show': {
        const key = view(await existing());
        print(
          key,
          `${Object.entries(key)
            .map(([k, v]) => `${k.padEnd(12)} ${v === null ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v)}`)
            .join('\n')}\n`,
        );
        break;
      }
      case 'keys rename': {
        await existing();
        const key = await engine().rename(id!, values.name!);
        print(view(key), `Renamed ${key.id} to "${key.name}".\n`);
        break;
      }
      case 'keys revoke': {
        await existing();
        const key = await engine().revoke(id!);
        print(view(key), `Revoked ${key.id}: it is refused from now on.\n`);
        break;
      }
      case 'keys rotate': {
        const old = await existing();
        const rotated = await engine([old.format]).rotate(id!, { gracePeriod: (values.grace ?? 0) as never });
        err('Store this key now: it is shown once, and Keyward keeps only its hash.\n');
        print({ key: rotated.key, record: view(rotated.record), previous: view(rotated.previous) }, `${rotated.key}\n`);
        if (!json)
          err(
            `new id ${rotated.record.id}; the old key ${values.grace ? `works until ${rotated.previous.expiresAt?.toISOString()}` : 'is refused from now on'}\n`,
          );
        break;
      }
      case 'keys import': {
        const inputs = readImportFile(values.file!);
        const importer = engine(inputs.map((k) => k.format));
        const imported: ApiKey[] = [];
        for (const input of inputs) imported.push(await importer.import(input));
        print(
          { imported: imported.map(view) },
          `Imported ${imported.length} key${imported.length === 1 ? '' : 's'}: ${imported.map((k) => k.id).join(', ')}\n`,
        );
        break;
      }
      case 'audit': {
        const page = await engine().auditLog({
          workspaceId: values.workspace!,
          from: values.from,
          to: values.to,
          limit: positiveInt(values.limit, '--limit', 1000) ?? 100,
        });
        const rows = page.items.map((e) => ({
          time: e.time.toISOString(),
          type: e.type,
          keyId: e.keyId,
          keyHint: e.keyHint,
          actor: e.actor,
          reason: e.reason ?? e.code,
          count: e.count,
        }));
        print({ items: rows, nextCursor: page.nextCursor }, table(rows, ['time', 'type', 'keyId', 'keyHint', 'actor', 'reason', 'count']));
        break;
      }
      case 'usage': {
        const report = await engine().usage(
          values.key
            ? { keyId: values.key, from: values.from!, to: values.to! }
            : { workspaceId: values.workspace!, from: values.from!, to: values.to! },
        );
        print(
          report,
          `${table(
            report.days.map((d) => ({ ...d })),
            ['day', 'count'],
          )}total ${report.total}\n`,
        );
        break;
      }
      case 'export': {
        if (!opened.postgres) throw new UsageError('export reads a PostgreSQL store: postgres://… or embedded:DIR');
        const counts = await exportStore(opened.postgres, out);
        err(`Exported ${counts.key} keys, ${counts.usage} usage counts, ${counts.audit} audit events, ${counts.counter} counters.\n`);
        break;
      }
      case 'import': {
        if (!opened.postgres) throw new UsageError('import writes a PostgreSQL store: postgres://… or embedded:DIR');
        const outcome = await importStore(opened.postgres, transfer!);
        if (outcome.conflicts.length > 0) {
          err(
            `keyward: nothing imported: ${outcome.conflicts.length} record(s) conflict with what the store holds:\n${outcome.conflicts
              .slice(0, 20)
              .map((c) => `  ${c}\n`)
              .join('')}`,
          );
          if (json) out(`${JSON.stringify(outcome, null, 2)}\n`);
          return EXIT.failure;
        }
        const { imported: i, present: p } = outcome;
        print(
          outcome,
          `Imported ${i.key} keys, ${i.usage} usage counts, ${i.audit} audit events, ${i.counter} counters` +
            ` (already there: ${p.key} keys, ${p.usage} usage counts, ${p.audit} audit events, ${p.counter} counters).\n`,
        );
        break;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
    return EXIT.ok;
  } catch (error) {
    if (error instanceof UsageError) {
      err(`keyward: ${error.message}\n\n${HELP[command] ?? GLOBAL_HELP}`);
      return EXIT.usage;
    }
    if ((error as { notFound?: boolean }).notFound || (isKeywardError(error) && error.code === 'not_found')) {
      err(`keyward: ${(error as Error).message}\n`);
      return EXIT.notFound;
    }
    if (isKeywardError(error) && (error.code === 'invalid_argument' || error.code === 'conflict')) {
      err(`keyward: ${error.message}\n`);
      return EXIT.usage;
    }
    if (isKeywardError(error) && error.code === 'store_unavailable') {
      err('keyward: the store stopped answering\n');
      return EXIT.unreachable;
    }
    // The stores strip row values from their errors; connection strings are redacted here.
    const message = error instanceof Error ? error.message : String(error);
    err(`keyward: failed: ${message.replace(/[a-z]+:\/\/[^\s]+/gi, (u) => redactUrl(u))}\n`);
    return EXIT.failure;
  } finally {
    await opened?.close().catch(() => undefined);
  }
}
