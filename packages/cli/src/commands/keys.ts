// `keyward keys …`: create, list, show, rename, revoke, rotate and import keys.
import { readFileSync } from 'node:fs';
import type { ApiKey, ImportKeyInput } from '@keyward/core';
import { positiveInt, required, UsageError, type Values } from '../args.js';
import { checkReplacement, formatsFor } from '../formats.js';
import { table, view } from '../output.js';
import type { Command, CommandContext } from './command.js';

const STORE_NOW = 'Store this key now: it is shown once, and Keyward keeps only its hash.\n';

/** Says, on stderr, when the other instances could not be told of a change. */
function reportPublish({ store, warn }: CommandContext): void {
  if (store.publisher.failed) {
    warn(
      `keyward: warning: the change is stored, but publishing it on the channel ${store.publisher.channel} failed: ` +
        'instances that cached the key drop it only when their cache entry expires\n',
    );
  }
}

const create: Command = {
  name: 'keys create',
  help: `Usage: keyward keys create --workspace W --name N [options]

  --workspace W          the workspace the key reaches (required)
  --name N               a label that says where the key is used (required)
  --scopes a:b,c:d       scopes, comma-separated
  --expires-in 30d       expiry relative to now (s, m, h, d)
  --environment ENV      environment of the key (live, test)
  --config MODULE        your app's engine or options: the key gets exactly its format and hashing
  --format F             with --config: the name of one of its formats (default its first);
                         without: prefixed (default) or id-secret, with their default options
  --prefix P             without --config: prefix of prefixed keys (default kw)

Without --config the key has a built-in format with its default options (prefixedFormat({ prefix })
or idSecretFormat()) and a SHA-256 hash: if your app configures its format or hashing otherwise,
pass --config, or it will refuse the key.

Prints the key once on stdout; store it now, Keyward keeps only its hash.
`,
  options: ['workspace', 'name', 'scopes', 'expires-in', 'environment', 'format', 'prefix'],
  check(values) {
    required(values, 'workspace');
    required(values, 'name');
  },
  async run({ values, engine, print, warn }) {
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
    warn(STORE_NOW);
    print({ key: created.key, record: view(created.record) }, `${created.key}\n`);
    if (!values.json) warn(`id ${created.record.id} · workspace ${created.record.workspaceId} · ${created.record.prefix}…${created.record.hint}\n`);
  },
};

const list: Command = {
  name: 'keys list',
  help: 'Usage: keyward keys list (--workspace W | --owner O) [--include-revoked] [--limit N]\n',
  options: ['workspace', 'owner', 'include-revoked', 'limit'],
  check(values) {
    if ((values.workspace === undefined) === (values.owner === undefined)) throw new UsageError('pass one of --workspace or --owner');
  },
  async run({ values, engine, print }) {
    const page = await engine().list({
      workspaceId: values.workspace,
      ownerId: values.owner,
      includeRevoked: values['include-revoked'] === true,
      limit: positiveInt(values.limit, '--limit', 1000) ?? 100,
    });
    const rows = page.items.map(view);
    print({ items: rows, nextCursor: page.nextCursor }, table(rows, ['id', 'name', 'display', 'scopes', 'createdAt', 'expiresAt', 'revokedAt']));
  },
};

const show: Command = {
  name: 'keys show',
  help: 'Usage: keyward keys show <id>\n',
  options: [],
  takesId: true,
  async run({ existing, print }) {
    const key = view(await existing());
    const lines = Object.entries(key).map(([k, v]) => `${k.padEnd(12)} ${v === null ? '-' : typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
    print(key, `${lines.join('\n')}\n`);
  },
};

const rename: Command = {
  name: 'keys rename',
  help: 'Usage: keyward keys rename <id> --name N\n',
  options: ['name'],
  takesId: true,
  check: (values) => void required(values, 'name'),
  async run(context) {
    await context.existing();
    const key = await context.engine().rename(context.id, context.values.name!);
    context.print(view(key), `Renamed ${key.id} to "${key.name}".\n`);
    reportPublish(context);
  },
};

const revoke: Command = {
  name: 'keys revoke',
  help: `Usage: keyward keys revoke <id> [--channel NAME]

The key is refused from now on: by every instance of your app within a second, when they listen on
the invalidation channel the command publishes on (--channel; default keyward_invalidation on
PostgreSQL, keyward:invalidate on Redis), else when their cache entry expires.
`,
  options: [],
  takesId: true,
  async run(context) {
    await context.existing();
    const key = await context.engine().revoke(context.id);
    context.print(view(key), `Revoked ${key.id}: it is refused from now on.\n`);
    reportPublish(context);
  },
};

const rotate: Command = {
  name: 'keys rotate',
  help: `Usage: keyward keys rotate <id> --config MODULE [--grace 24h] [--channel NAME]

Creates a key with the same settings and prints it once. The old key dies at once, or after --grace
(its revocation is published like that of keys revoke).

--config is required: the module that exports your app's engine or the options it is built with
(see keyward --help). The new key gets exactly the format and the hashing of your app — the prefix
alone does not say them (a length, a checksum, a pepper). The command first checks that a key of
that format is one your app parses as such, with the same prefix; it changes nothing otherwise.
`,
  options: ['grace'],
  takesId: true,
  check(values: Values) {
    if (values.config === undefined) {
      throw new UsageError(
        'keys rotate needs --config MODULE, the module that exports your app’s engine or its options: without it the new key could have another format than your app’s, which it would refuse; nothing was changed',
      );
    }
  },
  async run(context) {
    const { values, config, existing, engine, print, warn } = context;
    const old = await existing();
    const formats = formatsFor({}, config);
    const format = formats.find((f) => f.name === old.format);
    if (format === undefined) {
      throw new UsageError(
        `key ${old.id} has the format ${JSON.stringify(old.format)}, which --config ${config!.path} does not have (it has ${formats.map((f) => f.name).join(', ')}); nothing was changed`,
      );
    }
    checkReplacement(format, formats, old);
    const rotated = await engine().rotate(old.id, { gracePeriod: (values.grace ?? 0) as never });
    warn(STORE_NOW);
    print({ key: rotated.key, record: view(rotated.record), previous: view(rotated.previous) }, `${rotated.key}\n`);
    if (!values.json) {
      warn(
        `new id ${rotated.record.id}; the old key ${values.grace ? `works until ${rotated.previous.expiresAt?.toISOString()}` : 'is refused from now on'}\n`,
      );
    }
    reportPublish(context);
  },
};

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

const importKeys: Command = {
  name: 'keys import',
  help: `Usage: keyward keys import --file keys.json [--config MODULE]

The file holds a JSON array, or one JSON object per line, of keys made by another system:
  {"hash": "<sha256 hex of the secret>", "name": "…", "hint": "last 4", "workspaceId": "…",
   "id"?, "ownerId"?, "format"?, "prefix"?, "scopes"?, "expiresAt"?, "legacy"?, "sunsetAt"?, "createdAt"?}
A "format" names a format of --config, or without it a built-in one (a prefix, or id-secret).
`,
  options: ['file'],
  check: (values) => void readImportFile(required(values, 'file')),
  async run({ values, engine, print }) {
    const inputs = readImportFile(values.file!);
    const importer = engine({ formats: inputs.map((k) => k.format) });
    const imported: ApiKey[] = [];
    for (const input of inputs) imported.push(await importer.import(input));
    print(
      { imported: imported.map(view) },
      `Imported ${imported.length} key${imported.length === 1 ? '' : 's'}: ${imported.map((k) => k.id).join(', ')}\n`,
    );
  },
};

/** Every `keys` command. */
export const keys: readonly Command[] = [create, list, show, rename, revoke, rotate, importKeys];
