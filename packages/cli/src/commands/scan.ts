// `keyward scan [paths…|-]`: finds well-formed keys in files or stdin, checks each with the store,
// reports the live ones (redacted, with file:line), exits 5 when it found one; `--revoke` revokes them.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { findKeys, type KeyFormat, type TokenStatus } from '@keyward/core';
import { UsageError } from '../args.js';
import { EXIT } from '../exit.js';
import { table } from '../output.js';
import type { Command } from './command.js';

/** Files larger than this are skipped (and counted): keys live in sources and configs, not in dumps. */
const MAX_FILE_BYTES = 10 * 1024 * 1024;
/** Most files read in one scan; the scan stops there and says so. */
const MAX_FILES = 200_000;
/** Folders never entered: version control and installed dependencies. */
const SKIPPED_DIRS = new Set(['.git', '.hg', '.svn', 'node_modules']);

/** One key found in one place. The key itself is never kept here: only its redacted form. */
interface Finding {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** `prefix…last4`. */
  readonly key: string;
  readonly format: string;
  readonly status: TokenStatus;
  readonly keyId: string | null;
  readonly workspaceId: string | null;
  readonly name: string | null;
  /** Revoked by this scan (`--revoke`). */
  readonly revoked: boolean;
}

interface Source {
  readonly name: string;
  readonly text: string;
}

interface Walk {
  files: number;
  /** Too large, unreadable, or not text. */
  skipped: number;
  truncated: boolean;
}

/** The text of every file under `paths` (folders walked, symbolic links not followed), and stdin for `-`. */
async function* sources(paths: readonly string[], readStdin: () => Promise<string>, walk: Walk): AsyncGenerator<Source> {
  const pending = [...paths].reverse();
  while (pending.length > 0) {
    const path = pending.pop()!;
    if (path === '-') {
      walk.files++;
      yield { name: '(stdin)', text: await readStdin() };
      continue;
    }
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch {
      throw new UsageError(`cannot read ${path}`);
    }
    if (info.isDirectory()) {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(path, { withFileTypes: true });
      } catch {
        walk.skipped++;
        continue;
      }
      const inside = entries
        .filter((e) => (e.isDirectory() && !SKIPPED_DIRS.has(e.name)) || e.isFile())
        .map((e) => join(path, e.name))
        .sort();
      pending.push(...inside.reverse());
      continue;
    }
    if (walk.files >= MAX_FILES) {
      walk.truncated = true;
      return;
    }
    walk.files++;
    if (!info.isFile() || info.size > MAX_FILE_BYTES) {
      walk.skipped++;
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch {
      walk.skipped++;
      continue;
    }
    // A NUL byte near the start: a binary file, where a "key" would be chance.
    if (bytes.subarray(0, 8000).includes(0)) {
      walk.skipped++;
      continue;
    }
    yield { name: path, text: bytes.toString('utf8') };
  }
}

/** Line and column (1-based) of each offset, from one pass over the text. */
function positions(text: string, offsets: readonly number[]): { line: number; column: number }[] {
  const out: { line: number; column: number }[] = [];
  let line = 1;
  let lineStart = 0;
  let at = 0;
  for (const offset of offsets) {
    for (; at < offset; at++) {
      if (text.charCodeAt(at) === 10) {
        line++;
        lineStart = at + 1;
      }
    }
    out.push({ line, column: offset - lineStart + 1 });
  }
  return out;
}

export const scan: Command = {
  name: 'scan',
  help: `Usage: keyward scan [--revoke] <file or folder>… | -

Finds well-formed keys (format and checksum) in the files and folders given, or in stdin for -,
checks each with the store, and lists the live ones — redacted (prefix…last4), with file:line:column.
Exits 5 when it found a live key (for CI and pre-commit hooks), 0 when it found none.

  --revoke               revoke every live key found (recorded as key.leaked in the audit log)
  --config MODULE        your app's engine or options: finds the keys of all its formats
  --format F, --prefix P without --config: the format to look for (default prefixed, prefix kw)

Folders are walked (not .git nor node_modules; symbolic links are not followed); files over 10 MiB
and binary files are skipped. A key is never printed: only its prefix and its last 4 characters.
`,
  options: ['revoke', 'format', 'prefix'],
  takesPaths: true,
  async run({ values, paths, engine, print, warn, readStdin, exitWith }) {
    const keyward = engine({ audit: values.revoke === true });
    const formats: readonly KeyFormat[] = keyward.formats;
    const walk: Walk = { files: 0, skipped: 0, truncated: false };
    const found: { source: string; key: string; index: number; format: string; line: number; column: number }[] = [];
    for await (const source of sources(paths, readStdin, walk)) {
      const hits = findKeys(source.text, formats);
      const at = positions(
        source.text,
        hits.map((h) => h.index),
      );
      for (let i = 0; i < hits.length; i++) {
        const hit = hits[i]!;
        found.push({ source: source.name, key: hit.key, index: hit.index, format: hit.format, ...at[i]! });
      }
    }
    // One store read per distinct key; the first place of a live key is where `--revoke` says it was found.
    const checked = new Map<
      string,
      { status: TokenStatus; keyId: string | null; workspaceId: string | null; name: string | null; revoked: boolean }
    >();
    for (const f of found) {
      if (checked.has(f.key)) continue;
      const inspection = await keyward.inspect(f.key);
      let revoked = false;
      if (inspection.status === 'active' && values.revoke === true) {
        const outcome = await keyward.reportLeak(
          { token: f.key, url: `${f.source}:${f.line}`, source: 'keyward-scan', type: f.format },
          { policy: 'revoke', actor: 'cli:scan' },
        );
        revoked = outcome.status === 'known' && outcome.action === 'revoked';
      }
      const key = inspection.key;
      checked.set(f.key, {
        status: inspection.status,
        keyId: key?.id ?? null,
        workspaceId: key?.workspaceId ?? null,
        name: key?.name ?? null,
        revoked,
      });
    }
    const redactors = new Map(formats.map((f) => [f.name, f]));
    const findings: Finding[] = found.map((f) => ({
      file: f.source,
      line: f.line,
      column: f.column,
      key: redactors.get(f.format)!.redact(f.key),
      format: f.format,
      ...checked.get(f.key)!,
    }));
    await keyward.flush();
    const live = findings.filter((f) => f.status === 'active');
    const liveKeys = new Set(live.map((f) => f.keyId)).size;
    const summary = {
      files: walk.files,
      skipped: walk.skipped,
      truncated: walk.truncated,
      wellFormed: checked.size,
      live: liveKeys,
      revoked: [...checked.values()].filter((c) => c.revoked).length,
    };
    const rows = live.map((f) => ({
      place: `${f.file}:${f.line}:${f.column}`,
      key: f.key,
      id: f.keyId,
      workspace: f.workspaceId,
      name: f.name,
      state: f.revoked ? 'revoked now' : 'live',
    }));
    print({ findings, ...summary }, live.length === 0 ? '' : table(rows, ['place', 'key', 'id', 'workspace', 'name', 'state']));
    if (!values.json) {
      const some = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
      warn(
        `${some(summary.files, 'file')} scanned${summary.skipped ? ` (${summary.skipped} skipped: binary, too large or unreadable)` : ''}, ` +
          `${some(summary.wellFormed, 'well-formed key')} found, ${some(liveKeys, 'live key')}` +
          `${summary.revoked ? `, ${summary.revoked} revoked now` : liveKeys > 0 ? ': revoke them (keyward scan --revoke …) and remove them from the files' : ''}.\n`,
      );
    }
    if (walk.truncated) warn(`keyward: warning: stopped after ${MAX_FILES} files\n`);
    if (liveKeys > 0) exitWith(EXIT.leaked);
  },
};
