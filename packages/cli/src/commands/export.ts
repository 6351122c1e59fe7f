import { UsageError } from '../args.js';
import type { Command } from './command.js';
import { exportStore } from './export-store.js';

export const exportCommand: Command = {
  name: 'export',
  help: `Usage: keyward export > store.jsonl   (the store: KEYWARD_STORE_URL or --store, postgres://… or embedded:DIR)

Writes every key (its hash: no plaintext exists to export), the usage counts, the audit log and the
counters as JSON lines on stdout. Stop the app first when the store is embedded (one process owns it).
`,
  options: [],
  async run({ store, write, warn }) {
    if (!store.postgres) throw new UsageError('export reads a PostgreSQL store: postgres://… or embedded:DIR');
    const counts = await exportStore(store.postgres, write);
    warn(`Exported ${counts.key} keys, ${counts.usage} usage counts, ${counts.audit} audit events, ${counts.counter} counters.\n`);
  },
};
