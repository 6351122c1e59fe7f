import { UsageError } from '../args.js';
import { table } from '../output.js';
import type { Command } from './command.js';

export const usage: Command = {
  name: 'usage',
  help: 'Usage: keyward usage (--key ID | --workspace W) --from YYYY-MM-DD --to YYYY-MM-DD\n',
  options: ['key', 'workspace', 'from', 'to'],
  check(values) {
    if ((values.key === undefined) === (values.workspace === undefined) || !values.from || !values.to) {
      throw new UsageError('pass one of --key or --workspace, and --from and --to');
    }
  },
  async run({ values, engine, print }) {
    const range = { from: values.from!, to: values.to! };
    const report = await engine({ usage: true }).usage(values.key ? { keyId: values.key, ...range } : { workspaceId: values.workspace!, ...range });
    print(
      report,
      `${table(
        report.days.map((d) => ({ ...d })),
        ['day', 'count'],
      )}total ${report.total}\n`,
    );
  },
};
