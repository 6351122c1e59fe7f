import { AUDIT_EVENT_TYPES, type AuditEventType } from '@keyward/core';
import { json, type RequestContext } from '../context.js';
import { DashboardProblem } from '../http/problem.js';
import { checkCursor, checkDay, checkLimit, checkTime, InputErrors, notFound, queryParams } from '../http/input.js';
import { auditEventView } from '../views.js';

const KNOWN_TYPES = new Set<string>(AUDIT_EVENT_TYPES);
const DAY_MS = 86_400_000;

/** The engine has no audit or usage store: a setup to fix, said plainly (501), not an outage. */
async function configured<T>(what: 'audit log' | 'usage', read: () => Promise<T>): Promise<T> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof TypeError && /^keyward\.(auditLog|usage) needs/.test(error.message)) {
      throw new DashboardProblem(
        501,
        'not_configured',
        what === 'audit log'
          ? 'the audit log is not set up: createKeyward({ audit: true }) with a store that keeps it'
          : 'usage is not tracked: createKeyward({ usage: true }) with a store that keeps it',
      );
    }
    throw error;
  }
}

/** GET /workspaces/{workspaceId}/audit: newest first, filtered by type, key and time. */
export async function listAudit(ctx: RequestContext): Promise<Response> {
  const q = queryParams(ctx.url, ['type', 'keyId', 'from', 'to', 'cursor', 'limit'], ['type']);
  const errors = new InputErrors();
  let types: AuditEventType[] | undefined;
  const typeParams = q.get('type');
  if (typeParams !== undefined) {
    types = typeParams.flatMap((v) => v.split(',')).map((t) => t.trim()) as AuditEventType[];
    const unknown = types.filter((t) => !KNOWN_TYPES.has(t));
    if (types.length === 0 || unknown.length > 0) errors.add('?type', `type must list event types among: ${AUDIT_EVENT_TYPES.join(', ')}`);
  }
  const keyId = q.get('keyId')?.[0];
  if (keyId !== undefined && (keyId.length === 0 || keyId.length > 256)) errors.add('?keyId', 'keyId must be a key id');
  const from = q.has('from') ? checkTime(q.get('from')![0], '?from', errors) : undefined;
  const to = q.has('to') ? checkTime(q.get('to')![0], '?to', errors) : undefined;
  if (from !== undefined && to !== undefined && to < from) errors.add('?to', 'to must not be before from');
  const limit = checkLimit(q.get('limit')?.[0], 100, 1000, errors);
  const cursor = checkCursor(q.get('cursor')?.[0], errors);
  errors.check();
  // This instance's pending events first (changes start their own flush, which this waits for):
  // whoever just made a change sees it in the log.
  await ctx.config.keyward.flush();
  const page = await configured('audit log', () =>
    ctx.config.keyward.auditLog({
      workspaceId: ctx.workspaceId!,
      limit: limit!,
      ...(types !== undefined ? { types } : {}),
      ...(keyId !== undefined ? { keyId } : {}),
      ...(from !== undefined ? { from: new Date(from) } : {}),
      ...(to !== undefined ? { to: new Date(to) } : {}),
      ...(cursor !== undefined ? { cursor } : {}),
    }),
  );
  const names = await ctx.names(page.items.map((e) => e.actor));
  return json(200, { items: page.items.map((e) => auditEventView(e, names)), nextCursor: page.nextCursor });
}

/**
 * GET /workspaces/{workspaceId}/usage: requests per key per UTC day (the last 30 days by default),
 * for the workspace or one of its keys.
 */
export async function getUsage(ctx: RequestContext): Promise<Response> {
  const q = queryParams(ctx.url, ['from', 'to', 'keyId']);
  const errors = new InputErrors();
  const today = new Date(ctx.config.now()).toISOString().slice(0, 10);
  const to = q.has('to') ? checkDay(q.get('to')![0]!, '?to', errors) : today;
  const from = q.has('from')
    ? checkDay(q.get('from')![0]!, '?from', errors)
    : to && new Date(Date.parse(to) - 29 * DAY_MS).toISOString().slice(0, 10);
  if (from !== undefined && to !== undefined) {
    const days = (Date.parse(to) - Date.parse(from)) / DAY_MS;
    if (days < 0) errors.add('?to', 'to must not be before from');
    else if (days >= 400) errors.add('?from', 'a usage query covers at most 400 days');
  }
  const keyId = q.get('keyId')?.[0];
  errors.check();
  const { keyward } = ctx.config;
  // This instance's pending counts first, so that the chart includes the last requests.
  await keyward.flush();
  if (keyId !== undefined) {
    // A key of another workspace is a key that does not exist here.
    if ((await keyward.get(keyId, { workspaceId: ctx.workspaceId! })) === null) throw notFound('key');
  }
  const report = await configured('usage', () =>
    keyward.usage(keyId !== undefined ? { keyId, from: from!, to: to! } : { workspaceId: ctx.workspaceId!, from: from!, to: to! }),
  );
  return json(200, report);
}
