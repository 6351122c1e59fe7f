import { positiveInt, required } from '../args.js';
import { table } from '../output.js';
import type { Command } from './command.js';

export const audit: Command = {
  name: 'audit',
  help: 'Usage: keyward audit --workspace W [--from DATE] [--to DATE] [--limit N]\n',
  options: ['workspace', 'from', 'to', 'limit'],
  check: (values) => void required(values, 'workspace'),
  async run({ values, engine, print }) {
    const page = await engine({ audit: true }).auditLog({
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
  },
};
