import type { Engine } from '../engine/context.js';
import { reportStore, USAGE_METHODS } from '../engine/options.js';
import { checkId, checkWorkspace, invalidArgument } from '../lifecycle/checks.js';
import { MAX_TIME } from '../internal/storable.js';
import { guarded } from '../lifecycle/read.js';
import { dayString, parseDay } from '../usage/days.js';
import type { UsageQuery, UsageReport, UsageStore } from '../usage/types.js';

/** The day number of 9999-12-31, the last day every store keeps. */
const LAST_DAY = Math.floor(MAX_TIME / 86_400_000);

/**
 * Requests per UTC day of one key or of one workspace, from the usage store, with every day of the
 * range (days without use count 0) and the keys by count.
 */
export async function usageReport(engine: Engine, query: UsageQuery): Promise<UsageReport> {
  const store = reportStore<UsageStore>(engine.usageStore, engine.store, USAGE_METHODS);
  if (store === null)
    throw new TypeError('keyward.usage needs a usage store: createKeyward({ usage: { store } }) or a key store that implements UsageStore');
  if (!query || typeof query !== 'object') throw invalidArgument('usage needs { keyId } or { workspaceId }, and { from, to }');
  const byKey = query.keyId !== undefined;
  if (byKey === (query.workspaceId !== undefined)) throw invalidArgument('usage needs either keyId or workspaceId (not both)');
  if (byKey) checkId(query.keyId, 'keyId');
  const workspaceId = byKey ? undefined : checkWorkspace(query.workspaceId);
  const from = parseDay(query.from);
  const to = parseDay(query.to);
  if (from === null || to === null) throw invalidArgument('from and to must be days (YYYY-MM-DD), ISO 8601 times or Dates');
  if (from < 0 || to > LAST_DAY) throw invalidArgument('from and to must be days from 1970-01-01 to 9999-12-31');
  if (to < from) throw invalidArgument('to must not be before from');
  if (to - from >= 400) throw invalidArgument('a usage query covers at most 400 days');
  const range = { from: dayString(from), to: dayString(to) };
  const rows = await guarded(engine, () => store.readUsage(byKey ? { ...range, keyId: query.keyId! } : { ...range, workspaceId: workspaceId! }));
  const perDay = new Map<string, number>();
  const perKey = new Map<string, number>();
  const byKeyAndDay: { keyId: string; day: string; count: number }[] = [];
  let total = 0;
  for (const row of rows) {
    if (row.day < range.from || row.day > range.to) continue;
    byKeyAndDay.push({ keyId: row.keyId, day: row.day, count: row.count });
    total += row.count;
    perDay.set(row.day, (perDay.get(row.day) ?? 0) + row.count);
    perKey.set(row.keyId, (perKey.get(row.keyId) ?? 0) + row.count);
  }
  const days: { day: string; count: number }[] = [];
  for (let d = from; d <= to; d++) {
    const day = dayString(d);
    days.push({ day, count: perDay.get(day) ?? 0 });
  }
  const keys = [...perKey].map(([keyId, count]) => ({ keyId, count })).sort((a, b) => b.count - a.count || (a.keyId < b.keyId ? -1 : 1));
  if (byKey && keys.length === 0) keys.push({ keyId: query.keyId!, count: 0 });
  return { ...range, total, days, keys, byKeyAndDay };
}
