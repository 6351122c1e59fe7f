import type { Command } from './command.js';

export const migrate: Command = {
  name: 'migrate',
  help: 'Usage: keyward migrate --store postgres://…\n\nApplies the pending migrations of @keyward/store-postgres (idempotent). Redis needs none.\n',
  options: [],
  async run({ store, print }) {
    const applied = await store.migrate();
    print(
      { store: store.kind, applied },
      store.kind === 'redis'
        ? 'Redis needs no migration.\n'
        : applied.length
          ? `Applied migrations ${applied.join(', ')}.\n`
          : 'The schema is up to date.\n',
    );
  },
};
