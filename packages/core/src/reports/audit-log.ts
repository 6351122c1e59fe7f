import { auditFilters, filterAuditPage } from '../audit/filters.js';
import type { AuditPage, AuditQuery, AuditStore } from '../audit/types.js';
import type { Engine } from '../engine/context.js';
import { AUDIT_METHODS, reportStore } from '../engine/options.js';
import { checkCursor, checkLimit, checkWorkspace, invalidArgument, toBound } from '../lifecycle/checks.js';
import { guarded } from '../lifecycle/read.js';

/** The audit log of one workspace, newest first, one page at a time. */
export async function auditLog(engine: Engine, query: AuditQuery): Promise<AuditPage> {
  const store = reportStore<AuditStore>(engine.auditStore, engine.store, AUDIT_METHODS);
  if (store === null)
    throw new TypeError('keyward.auditLog needs an audit store: createKeyward({ audit: { store } }) or a key store that implements AuditStore');
  if (!query || typeof query !== 'object' || query.workspaceId === undefined) {
    throw invalidArgument('auditLog needs { workspaceId } (a workspace id, or null for events without a workspace)');
  }
  const workspaceId = query.workspaceId === null ? null : checkWorkspace(query.workspaceId);
  const limit = query.limit ?? 100;
  checkLimit(limit);
  checkCursor(query.cursor);
  // Clamped to 1970-9999: no event is outside, and every store reads that range alike.
  const from = toBound(query.from, 'from');
  const to = toBound(query.to, 'to');
  const filters = auditFilters(query);
  const page = await guarded(engine, () =>
    store.readAudit({
      workspaceId,
      limit,
      ...(from ? { from } : {}),
      ...(to ? { to } : {}),
      ...(query.cursor !== undefined ? { cursor: query.cursor } : {}),
      ...filters,
    }),
  );
  return filterAuditPage(page, filters);
}
