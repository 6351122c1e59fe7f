import { expect, it } from 'vitest';
import type { Keyward } from '../engine/keyward.js';
import { expectCode, unique } from './suite-helpers.js';

/**
 * Input that no store can hold, or that a store did not make, through the engine: every store
 * answers it alike — `invalid_argument` (a 400), never `store_unavailable` (a 503 is an outage
 * alarm, and any key holder could raise it) — or, for time bounds of a read, clamps it.
 */

/** Ids no key can have: a NUL (PostgreSQL text cannot hold it), control characters, a lone surrogate, too long, empty. */
export const BAD_IDS: readonly string[] = ['key_a\u0000b', '\u0000', 'key_\n', 'key_\u007f', 'key_\ud800', `key_${'x'.repeat(300)}`, ''];

/** Listing cursors no store made: garbage, numbers that overflow a bigint or a date, NULs. */
export const BAD_LIST_CURSORS: readonly string[] = [
  'garbage',
  ':',
  '1:',
  '99999999999999999999:key_x',
  '9999999999999999999:key_x',
  '-9999999999999999999:key_x',
  '1e3:key_x',
  '1:key_a\u0000b',
  '\u0000',
  '\ud800:key_x',
  'x'.repeat(600),
];

/** Audit cursors no store made: overflows of a bigint (PostgreSQL) and of a stream id (Redis), NULs. */
export const BAD_AUDIT_CURSORS: readonly string[] = [
  'garbage',
  '99999999999999999999:1',
  '1:99999999999999999999',
  '1:9999999999999999999',
  '9999999999999999:1',
  '18446744073709551616-0',
  '1-18446744073709551616',
  '1-99999999999999999999',
  '1:\u0000',
  '\u0000',
  'x'.repeat(300),
];

/** Dates no store keeps alike: before 1970, far BC, past the year 9999. */
export const BAD_DATES: readonly (Date | string)[] = [
  new Date(-1),
  '1969-12-31T23:59:59.999Z',
  new Date(-8.64e15),
  '-004000-01-01T00:00:00.000Z',
  '+200000-01-01T00:00:00.000Z',
  new Date(8.64e15),
];

/** The key lifecycle and listings with bad ids, cursors and dates (part of `describeKeyStore`). */
export function describeBadKeyInput(fresh: () => Promise<{ keyward: Keyward }>): void {
  it('answers ids no key can have with invalid_argument, in every call that takes one', async () => {
    const { keyward } = await fresh();
    for (const id of BAD_IDS) {
      await expectCode(keyward.get(id), 'invalid_argument');
      await expectCode(keyward.get(id, { workspaceId: 'ws_bad' }), 'invalid_argument');
      await expectCode(keyward.rename(id, 'x'), 'invalid_argument');
      await expectCode(keyward.update(id, { scopes: ['a:b'] }), 'invalid_argument');
      await expectCode(keyward.revoke(id), 'invalid_argument');
      await expectCode(keyward.rotate(id), 'invalid_argument');
      await expectCode(keyward.delete(id), 'invalid_argument');
    }
  });

  it('answers workspace and owner ids no store can hold, and cursors it did not make, with invalid_argument', async () => {
    const { keyward } = await fresh();
    const workspaceId = unique('ws_cursor');
    await keyward.create({ workspaceId, name: 'a', expiresIn: '1d' });
    await keyward.create({ workspaceId, name: 'b', expiresIn: '1d' });
    // Real cursors work.
    const first = await keyward.list({ workspaceId, limit: 1 });
    expect((await keyward.list({ workspaceId, limit: 1, cursor: first.nextCursor! })).items).toHaveLength(1);
    for (const bad of ['ws\u0000', 'ws\n', 'x'.repeat(200)]) {
      await expectCode(keyward.list({ workspaceId: bad }), 'invalid_argument');
      await expectCode(keyward.list({ ownerId: bad }), 'invalid_argument');
      await expectCode(keyward.expiring({ within: '7d', workspaceId: bad }), 'invalid_argument');
      await expectCode(keyward.create({ workspaceId: bad, name: 'x' }), 'invalid_argument');
    }
    for (const cursor of BAD_LIST_CURSORS) {
      await expectCode(keyward.list({ workspaceId, cursor }), 'invalid_argument');
      await expectCode(keyward.list({ ownerId: 'owner_x', cursor }), 'invalid_argument');
      await expectCode(keyward.expiring({ within: '7d', workspaceId, cursor }), 'invalid_argument');
    }
  });

  it('refuses dates no store keeps alike (before 1970, far BC, past 9999) in create, update and import', async () => {
    const { keyward } = await fresh();
    const workspaceId = unique('ws_dates');
    const { record } = await keyward.create({ workspaceId, name: 'dated' });
    for (const date of BAD_DATES) {
      await expectCode(keyward.create({ workspaceId, name: 'x', expiresAt: date }), 'invalid_argument');
      await expectCode(keyward.update(record.id, { expiresAt: date }), 'invalid_argument');
      const hash = 'ab'.repeat(32);
      await expectCode(keyward.import({ workspaceId, name: 'x', hash, hint: 'abcd', createdAt: date }), 'invalid_argument');
      await expectCode(keyward.import({ workspaceId, name: 'x', hash, hint: 'abcd', expiresAt: date }), 'invalid_argument');
      await expectCode(keyward.import({ workspaceId, name: 'x', hash, hint: 'abcd', legacy: true, sunsetAt: date }), 'invalid_argument');
    }
    await expectCode(keyward.create({ workspaceId, name: 'x', expiresIn: '300000y' as never }), 'invalid_argument');
    // The edges themselves are kept.
    const edge = await keyward.create({ workspaceId, name: 'edge', expiresAt: '9999-12-31T23:59:59.999Z' });
    expect((await keyward.get(edge.record.id))?.expiresAt?.toISOString()).toBe('9999-12-31T23:59:59.999Z');
    expect((await keyward.list({ workspaceId })).items).toHaveLength(2);
  });
}

/** The audit log with bad cursors, key ids and time bounds (part of `describeAuditStore`). */
export function describeBadAuditInput(fresh: () => Promise<{ keyward: Keyward }>): void {
  it('answers audit cursors it did not make and bad key ids with invalid_argument, and clamps time bounds', async () => {
    const { keyward } = await fresh();
    const workspaceId = unique('ws_audit_bad');
    await keyward.create({ workspaceId, name: 'a' });
    await keyward.create({ workspaceId, name: 'b' });
    await keyward.flush();
    for (const cursor of BAD_AUDIT_CURSORS) await expectCode(keyward.auditLog({ workspaceId, cursor }), 'invalid_argument');
    for (const keyId of BAD_IDS) await expectCode(keyward.auditLog({ workspaceId, keyId }), 'invalid_argument');
    for (const bad of ['ws\u0000', 'x'.repeat(200)]) await expectCode(keyward.auditLog({ workspaceId: bad }), 'invalid_argument');
    // Time bounds are clamped to what every store keeps: no event is before 1970 or after 9999.
    for (const from of BAD_DATES) {
      const page = await keyward.auditLog({ workspaceId, from });
      const expected = new Date(from).getTime() < 0 ? 2 : 0;
      expect({ from: String(from), items: page.items.length }).toEqual({ from: String(from), items: expected });
    }
    for (const to of BAD_DATES) {
      const page = await keyward.auditLog({ workspaceId, to });
      const expected = new Date(to).getTime() < 0 ? 0 : 2;
      expect({ to: String(to), items: page.items.length }).toEqual({ to: String(to), items: expected });
    }
  });
}

/** Usage reports with bad days and key ids (part of `describeUsageStore`). */
export function describeBadUsageInput(fresh: () => Promise<{ keyward: Keyward }>): void {
  it('answers days before 1970 or past 9999 and bad key ids with invalid_argument', async () => {
    const { keyward } = await fresh();
    const workspaceId = unique('ws_usage_bad');
    for (const [from, to] of [
      ['1969-12-31', '1970-01-02'],
      ['-004000-01-01', '-004000-01-02'],
      [new Date(-8.64e15), new Date(-8.64e15 + 86_400_000)],
      ['9999-12-31', '+010000-01-01'],
      [new Date(8.64e15 - 86_400_000), new Date(8.64e15)],
    ] as const) {
      await expectCode(keyward.usage({ workspaceId, from, to }), 'invalid_argument');
      await expectCode(keyward.usage({ keyId: 'key_x', from, to }), 'invalid_argument');
    }
    for (const keyId of BAD_IDS) await expectCode(keyward.usage({ keyId, from: '2026-01-01', to: '2026-01-02' }), 'invalid_argument');
    // The edges are fine.
    expect((await keyward.usage({ workspaceId, from: '1970-01-01', to: '1970-01-03' })).days).toHaveLength(3);
    expect((await keyward.usage({ workspaceId, from: '9999-12-30', to: '9999-12-31' })).total).toBe(0);
  });
}
