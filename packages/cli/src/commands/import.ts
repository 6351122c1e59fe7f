import { readFileSync } from 'node:fs';
import { required, UsageError, type Values } from '../args.js';
import type { Command } from './command.js';
import { importStore } from './import-store.js';
import { parseTransfer, type Transfer, TransferFormatError } from './transfer-format.js';

/** Files read by `check`, so that `run` does not read them twice. */
const read = new WeakMap<Values, Transfer>();

function readTransfer(values: Values): Transfer {
  const cached = read.get(values);
  if (cached) return cached;
  const path = required(values, 'file');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read ${path}`);
  }
  try {
    const transfer = parseTransfer(text);
    read.set(values, transfer);
    return transfer;
  } catch (error) {
    if (error instanceof TransferFormatError) throw new UsageError(`${path}: ${error.message}`);
    throw error;
  }
}

export const importCommand: Command = {
  name: 'import',
  help: `Usage: keyward import --file store.jsonl   (the store: KEYWARD_STORE_URL or --store, postgres://… or embedded:DIR)

Writes a file made by "keyward export" into the store. Idempotent: records it holds already are left
alone. A key it holds with other content is a conflict: then nothing is written (exit 1). Run
"keyward migrate" on a server first.
`,
  options: ['file'],
  check: (values) => void readTransfer(values),
  async run({ values, store, print }) {
    if (!store.postgres) throw new UsageError('import writes a PostgreSQL store: postgres://… or embedded:DIR');
    const outcome = await importStore(store.postgres, readTransfer(values));
    if (outcome.conflicts.length > 0) {
      if (values.json) print(outcome, '');
      throw new Error(
        `nothing imported: ${outcome.conflicts.length} record(s) conflict with what the store holds:\n${outcome.conflicts
          .slice(0, 20)
          .map((c) => `  ${c}`)
          .join('\n')}`,
      );
    }
    const { imported: i, present: p } = outcome;
    print(
      outcome,
      `Imported ${i.key} keys, ${i.usage} usage counts, ${i.audit} audit events, ${i.counter} counters` +
        ` (already there: ${p.key} keys, ${p.usage} usage counts, ${p.audit} audit events, ${p.counter} counters).\n`,
    );
  },
};
