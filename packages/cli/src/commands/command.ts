import type { ApiKey, Keyward } from '@keyward/core';
import type { OptionName, Values } from '../args.js';
import type { AppConfig } from '../config.js';
import type { OpenedStore } from '../store.js';

/** What a command gets to run with. */
export interface CommandContext {
  readonly values: Values;
  /** The key id of `keys show <id>` and the like; '' for other commands. */
  readonly id: string;
  /** The files and folders of a command that takes paths (`scan`); empty for the others. */
  readonly paths: readonly string[];
  /** All of stdin, as UTF-8 text (for `-`). */
  readStdin(): Promise<string>;
  readonly store: OpenedStore;
  /** The app's formats and hashers, from `--config`; null without it. */
  readonly config: AppConfig | null;
  /** An engine on the store: the app's formats (or the built-in ones, plus `formats` by name), no cache, publishing every change. */
  engine(options?: { formats?: readonly (string | undefined)[]; usage?: boolean; audit?: boolean }): Keyward;
  /** The key of `id`; a `NotFoundError` when there is none. */
  existing(): Promise<ApiKey>;
  /** Writes `data` as JSON with `--json`, else `human`, on stdout. */
  print(data: unknown, human: string): void;
  /** Writes `text` to stdout as it is (what `export` streams). */
  write(text: string): void;
  /** Writes to stderr. */
  warn(text: string): void;
  /** The exit code of a command that completed, when it is not 0 (`scan` found a live key). */
  exitWith(code: number): void;
}

/** One command of `keyward`. */
export interface Command {
  /** As typed: `migrate`, `keys create`. */
  readonly name: string;
  /** Its `--help`. */
  readonly help: string;
  /** The options it takes, besides the global ones. */
  readonly options: readonly OptionName[];
  /** It takes one key id. */
  readonly takesId?: boolean;
  /** It takes one or more files, folders, or `-` for stdin. */
  readonly takesPaths?: boolean;
  /** Checks what needs no store, before connecting to it. */
  check?(values: Values): void;
  run(context: CommandContext): Promise<void>;
}
