import type { AuditEventType } from '@keyward/core';
import { useId, useState } from 'react';
import { useKeyward } from './context.js';
import { Section } from './section.js';
import { formatDateTime, formatPeriod } from './format.js';
import { ErrorState, Loading } from './states.js';
import type { AuditEventView, PageView } from './types.js';
import { useResource } from './use-resource.js';

/** Every event type in words (a type missing here fails to compile). */
const EVENT_LABELS: Record<AuditEventType, string> = {
  'key.created': 'Key created',
  'key.imported': 'Key imported',
  'key.renamed': 'Key renamed',
  'key.updated': 'Key changed',
  'key.rotated': 'Key rotated',
  'key.revoked': 'Key revoked',
  'key.deleted': 'Key deleted',
  'key.leaked': 'Key found leaked',
  'key.expiring': 'Key expires soon',
  'verify.expired_key': 'Expired key used',
  'verify.revoked_key': 'Revoked key used',
  'verify.legacy_key': 'Legacy key used',
  'verify.legacy_sunset': 'Legacy key used after its sunset',
  'verify.quota_exceeded': 'Quota exceeded',
  'verify.failed': 'Request refused',
};

const FILTERS: readonly { label: string; types: readonly AuditEventType[] }[] = [
  { label: 'All events', types: [] },
  { label: 'Changes to keys', types: ['key.created', 'key.imported', 'key.renamed', 'key.updated', 'key.rotated', 'key.revoked', 'key.deleted'] },
  { label: 'Leaks and expiry', types: ['key.leaked', 'key.expiring'] },
  {
    label: 'Refused requests',
    types: ['verify.expired_key', 'verify.revoked_key', 'verify.legacy_sunset', 'verify.quota_exceeded', 'verify.failed'],
  },
];

function details(event: AuditEventView): string {
  const parts: string[] = [];
  const d = event.details as Record<string, unknown>;
  if (event.type === 'key.rotated' && typeof d.successorHint === 'string') {
    const ms = typeof d.gracePeriodMs === 'number' ? d.gracePeriodMs : 0;
    parts.push(`new key …${d.successorHint}${ms > 0 ? `, old key kept for ${formatPeriod(Math.round(ms / 1000))}` : ', old key stopped at once'}`);
  }
  if (event.type === 'key.leaked' && typeof d.url === 'string') parts.push(`found at ${d.url}${typeof d.action === 'string' ? `, ${d.action}` : ''}`);
  if (event.type === 'key.expiring' && typeof d.expiresAt === 'string') parts.push(`expires ${formatDateTime(d.expiresAt)}`);
  if (event.reason !== null) parts.push(event.reason);
  else if (event.code !== null) parts.push(event.code);
  if (event.count > 1) parts.push(`${event.count} times`);
  if (event.ip !== null) parts.push(`from ${event.ip}`);
  return parts.join('; ');
}

/** The workspace's audit log, newest first, with a filter and "Show older events". */
export function AuditLog() {
  const { client, texts, workspaceId, can, revision } = useKeyward();
  const filterId = useId();
  const [filter, setFilter] = useState(0);
  const allowed = workspaceId !== null && can('audit:read');
  const types = FILTERS[filter]!.types;
  const log = useResource(allowed ? () => client.auditLog(workspaceId, { types, limit: 50 }) : null, `${workspaceId}|${allowed}|${filter}`, revision);
  const [older, setOlder] = useState(false);
  // No audit log set up (501): nothing to show, rather than an error about someone else's setup.
  if (!allowed || log.error?.status === 501) return null;

  const showOlder = async () => {
    const cursor = log.data?.nextCursor;
    if (!cursor || older) return;
    setOlder(true);
    try {
      const next = await client.auditLog(workspaceId, { types, limit: 50, cursor });
      log.update((page: PageView<AuditEventView>) => ({ items: [...page.items, ...next.items], nextCursor: next.nextCursor }));
    } catch {
      log.reload();
    } finally {
      setOlder(false);
    }
  };

  const items = log.data?.items ?? [];
  return (
    <Section
      title={texts.auditLog}
      aside={
        <div className="kw-inline-field">
          <label className="kw-label" htmlFor={filterId}>
            Show
          </label>
          <select id={filterId} className="kw-select" value={filter} onChange={(event) => setFilter(Number(event.currentTarget.value))}>
            {FILTERS.map((f, i) => (
              <option key={f.label} value={i}>
                {f.label}
              </option>
            ))}
          </select>
        </div>
      }
    >
      {log.status === 'loading' ? <Loading label="Loading the audit log…" /> : null}
      {log.status === 'error' && log.error !== null ? <ErrorState error={log.error} what="The audit log" onRetry={log.reload} /> : null}
      {log.status === 'ready' && items.length === 0 ? <p className="kw-empty">No events yet.</p> : null}
      {items.length > 0 ? (
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a table that scrolls sideways on a narrow screen must be reachable by keyboard
        <section className="kw-table-wrap" tabIndex={0} aria-label={`${texts.auditLog} table`}>
          <table className="kw-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Event</th>
                <th scope="col">Key</th>
                <th scope="col">By</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {items.map((event) => (
                <tr key={event.id}>
                  <td className="kw-nowrap">{formatDateTime(event.time)}</td>
                  <td>{EVENT_LABELS[event.type as AuditEventType] ?? event.type}</td>
                  <td>{event.keyHint !== null ? <code className="kw-code">…{event.keyHint}</code> : <span className="kw-muted">—</span>}</td>
                  <td>
                    {event.actor !== null ? (
                      (event.actor.name ?? event.actor.id)
                    ) : (
                      <span className="kw-muted">{event.type.startsWith('verify.') ? 'API client' : 'System'}</span>
                    )}
                  </td>
                  <td className="kw-muted">{details(event)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      {log.data?.nextCursor ? (
        <button type="button" className="kw-button kw-more" onClick={showOlder} disabled={older}>
          {older ? 'Loading…' : 'Show older events'}
        </button>
      ) : null}
    </Section>
  );
}
