import { describe, expect, it } from 'vitest';
import type { AuditEventType } from '../audit/types.js';
import { ERROR_CODES, type KeywardErrorCode } from '../errors.js';
import { refusalEvent } from './observe.js';

describe('the audit event of a refusal', () => {
  const rows: [KeywardErrorCode, string | undefined, AuditEventType | null][] = [
    ['store_unavailable', undefined, null],
    ['expired_key', undefined, 'verify.expired_key'],
    ['key_sunset', undefined, 'verify.legacy_sunset'],
    ['quota_exceeded', undefined, 'verify.quota_exceeded'],
    ['invalid_key', 'revoked', 'verify.revoked_key'],
    ['invalid_key', 'unknown', 'verify.failed'],
    ['invalid_key', 'workspace_mismatch', 'verify.failed'],
    ['invalid_key', undefined, 'verify.failed'],
    ['rate_limited', undefined, 'verify.failed'],
    ['insufficient_scope', undefined, 'verify.failed'],
    ['malformed_key', undefined, 'verify.failed'],
    ['missing_credentials', undefined, 'verify.failed'],
    // A reason only counts with its own code.
    ['expired_key', 'revoked', 'verify.expired_key'],
  ];
  it.each(rows)('%s (%s) → %s', (code, reason, type) => {
    expect(refusalEvent(code, reason)).toBe(type);
  });

  it('names an event type for every refusal code but the outage', () => {
    for (const code of Object.keys(ERROR_CODES) as KeywardErrorCode[]) {
      const type = refusalEvent(code, undefined);
      if (code === 'store_unavailable') expect(type).toBeNull();
      else expect(type).toMatch(/^verify\./);
    }
  });
});
