import { KeywardError } from '../errors.js';
import { isStorableText } from '../internal/storable.js';
import type { ListPage } from '../store/types.js';
import type { AuditEvent, AuditEventType, AuditQuery } from './types.js';

/** Every audit event type, in the order of {@link AuditEventType}'s documentation. */
export const AUDIT_EVENT_TYPES: readonly AuditEventType[] = Object.freeze([
  'key.created',
  'key.imported',
  'key.renamed',
  'key.updated',
  'key.rotated',
  'key.revoked',
  'key.deleted',
  'key.leaked',
  'key.expiring',
  'verify.expired_key',
  'verify.revoked_key',
  'verify.legacy_key',
  'verify.legacy_sunset',
  'verify.quota_exceeded',
  'verify.failed',
] satisfies AuditEventType[]);

// Fails to compile when a type is added to AuditEventType and not to the list above.
type Missing = Exclude<AuditEventType, (typeof AUDIT_EVENT_TYPES)[number]>;
const complete: [Missing] extends [never] ? true : Missing = true;
void complete;

const KNOWN = new Set<string>(AUDIT_EVENT_TYPES);

/** The filters of an audit query, checked: what `readAudit` receives. */
export interface AuditFilters {
  readonly types?: readonly AuditEventType[];
  readonly keyId?: string;
}

/** @throws {KeywardError} `invalid_argument` for an unknown type, an empty list or a bad key id. */
export function auditFilters(query: Pick<AuditQuery, 'types' | 'keyId'>): AuditFilters {
  const out: { types?: AuditEventType[]; keyId?: string } = {};
  if (query.types !== undefined) {
    if (!Array.isArray(query.types) || query.types.length === 0) {
      throw new KeywardError('invalid_argument', { message: 'types must be a non-empty list of audit event types' });
    }
    for (const type of query.types) {
      if (!KNOWN.has(type)) {
        throw new KeywardError('invalid_argument', {
          message: `unknown audit event type ${JSON.stringify(String(type)).slice(0, 60)}; known: ${AUDIT_EVENT_TYPES.join(', ')}`,
        });
      }
    }
    out.types = [...new Set(query.types)];
  }
  if (query.keyId !== undefined) {
    if (!isStorableText(query.keyId, 256)) {
      throw new KeywardError('invalid_argument', { message: 'keyId must be a key id: 1-256 characters, without control characters' });
    }
    out.keyId = query.keyId;
  }
  return out;
}

/** True when the event passes the filters. */
export function auditEventMatches(event: AuditEvent, filters: AuditFilters): boolean {
  return (filters.types === undefined || filters.types.includes(event.type)) && (filters.keyId === undefined || event.keyId === filters.keyId);
}

/**
 * The page without the events a store did not filter out (an audit store written before the
 * filters existed ignores them): the engine never shows an event the query excluded.
 */
export function filterAuditPage(page: ListPage<AuditEvent>, filters: AuditFilters): ListPage<AuditEvent> {
  if (filters.types === undefined && filters.keyId === undefined) return page;
  const items = page.items.filter((e) => auditEventMatches(e, filters));
  return items.length === page.items.length ? page : { items, nextCursor: page.nextCursor };
}
