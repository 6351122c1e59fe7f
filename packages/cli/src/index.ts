/**
 * The `keyward` command, as a function: `run(argv)` parses the arguments, runs one command against
 * the store named by KEYWARD_STORE_URL (or `--store`), writes to the given streams, and returns
 * the exit code. `bin.ts` is the executable around it; the commands are in `commands/`.
 */
import { createKeyward, type Keyward } from '@keyward/core';
import { GLOBAL, NotFoundError, parse, UsageError, type Values } from './args.js';
import type { Command, CommandContext } from './commands/command.js';
import { audit } from './commands/audit.js';
import { exportCommand } from './commands/export.js';
import { importCommand } from './commands/import.js';
import { keys } from './commands/keys.js';
import { migrate } from './commands/migrate.js';
import { scan } from './commands/scan.js';
import { usage } from './commands/usage.js';
import { type AppConfig, loadConfig } from './config.js';
import { EXIT, fail } from './exit.js';
import { formatsFor } from './formats.js';
import { GLOBAL_HELP } from './help.js';
import { hasPassword, type OpenedStore, openStore, redactUrl } from './store.js';

export type { CliConfig } from './config.js';
export { EXIT } from './exit.js';

/** Where the command writes, and the environment it reads (`KEYWARD_STORE_URL`). */
export interface CliIO {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  /** The directory `--config` is relative to. @default process.cwd() */
  cwd?: string;
  /** Read by `scan -`. @default process.stdin */
  stdin?: AsyncIterable<Uint8Array | string>;
}

/** Most of stdin that `scan -` reads. */
const MAX_STDIN_BYTES = 64 * 1024 * 1024;

async function readAll(input: AsyncIterable<Uint8Array | string>): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of input) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    size += bytes.byteLength;
    if (size > MAX_STDIN_BYTES) throw new UsageError(`stdin is larger than ${MAX_STDIN_BYTES} bytes: scan files instead`);
    chunks.push(bytes);
  }
  return Buffer.concat(chunks).toString('utf8');
}

const COMMANDS = new Map<string, Command>([migrate, ...keys, audit, usage, scan, exportCommand, importCommand].map((c) => [c.name, c]));

/** Runs `keyward <argv>`; returns the exit code. */
export async function run(
  argv: readonly string[],
  io: CliIO = { stdout: process.stdout, stderr: process.stderr, env: process.env },
): Promise<number> {
  const out = (text: string) => void io.stdout.write(text);
  const err = (text: string) => void io.stderr.write(text);
  let values: Values;
  let positionals: string[];
  try {
    ({ values, positionals } = parse(argv));
  } catch (error) {
    err(`keyward: ${(error as Error).message}\n\n${GLOBAL_HELP}`);
    return EXIT.usage;
  }
  const name = positionals[0] === 'keys' ? (positionals[1] === undefined ? 'keys' : `keys ${positionals[1]}`) : positionals[0];
  const rest = positionals.slice(positionals[0] === 'keys' ? 2 : 1);
  if (name === undefined || name === 'help') {
    (values.help || name === 'help' ? out : err)(GLOBAL_HELP);
    return values.help || name === 'help' ? EXIT.ok : EXIT.usage;
  }
  const command = COMMANDS.get(name);
  if (command === undefined) {
    err(`keyward: unknown command "${name}"\n\n${GLOBAL_HELP}`);
    return EXIT.usage;
  }
  if (values.help) {
    out(command.help);
    return EXIT.ok;
  }

  let opened: OpenedStore | null = null;
  try {
    const allowed = new Set([...GLOBAL, ...command.options]);
    for (const option of Object.keys(values)) if (!allowed.has(option as never)) throw new UsageError(`--${option} does not apply to "${name}"`);
    if (command.takesPaths ? rest.length === 0 : command.takesId ? rest.length !== 1 : rest.length !== 0) {
      throw new UsageError(
        command.takesPaths
          ? `"${name}" takes the files or folders to read, or - for stdin`
          : command.takesId
            ? `"${name}" takes one key id`
            : `"${name}" takes no positional argument`,
      );
    }
    // The URL is read from the environment first in the README; `--store` wins when both are set.
    const url = values.store ?? io.env.KEYWARD_STORE_URL;
    if (!url) throw new UsageError('no store: set KEYWARD_STORE_URL to a postgres://… or redis://… URL (or embedded:DIR), or pass --store');
    if (values.store !== undefined && hasPassword(values.store)) {
      err(
        'keyward: warning: the password in --store can be read by every user of this machine (in the process list); set KEYWARD_STORE_URL instead\n',
      );
    }
    // What needs no store is checked before connecting to it.
    command.check?.(values);
    const config: AppConfig | null = values.config === undefined ? null : await loadConfig(values.config, io.cwd ?? process.cwd());
    formatsFor(values, config);

    try {
      opened = await openStore(url, values);
    } catch (error) {
      // An embedded store that the app (or another command) holds open.
      if ((error as Error).name === 'DataDirInUseError') {
        err(`keyward: ${(error as Error).message}\n`);
        return EXIT.unreachable;
      }
      // An invalid schema, prefix or channel.
      if (error instanceof RangeError || error instanceof TypeError) throw new UsageError(error.message);
      throw error;
    }
    try {
      await opened.ping();
    } catch {
      err(`keyward: cannot reach the store at ${redactUrl(url)}\n`);
      return EXIT.unreachable;
    }
    const store = opened;
    const engine: CommandContext['engine'] = (options = {}): Keyward =>
      createKeyward({
        store: store.store,
        format: formatsFor(values, config, options.formats),
        ...(config?.hashers ? { hash: config.hashers } : {}),
        invalidation: store.publisher,
        cache: false,
        usage: options.usage === true,
        audit: options.audit === true,
      });
    const id = command.takesPaths ? '' : (rest[0] ?? '');
    let code: number = EXIT.ok;
    await command.run({
      values,
      id,
      paths: command.takesPaths ? rest : [],
      readStdin: () => readAll(io.stdin ?? process.stdin),
      store,
      config,
      engine,
      async existing() {
        const key = await engine().get(id);
        if (key === null) throw new NotFoundError(`no key with id ${id}`);
        return key;
      },
      print: (data, human) => out(values.json ? `${JSON.stringify(data, null, 2)}\n` : human),
      write: out,
      warn: err,
      exitWith: (exit) => {
        code = exit;
      },
    });
    return code;
  } catch (error) {
    return fail(error, command, err);
  } finally {
    await opened?.close().catch(() => undefined);
  }
}
