import { KeywardError, type ListPage, type ListQuery, type StoredKey } from '@keyward/core/store';
import { cursorOf, decodeKey, indexSuffix, memberOfCursor, ownerTag, workspaceTag } from './codec.js';
import type { Flat, StoreContext } from './pointers.js';
import { LIST } from './scripts.js';

/** Most index members one list call reads on the server (bounds the script's run time). */
const LIST_SCAN_BUDGET = 2000;

/**
 * Keys of a workspace or an owner, oldest first, from the group's sorted index, one bounded script
 * call at a time; a record that an owner index lists but that lives in a workspace group is read by id.
 */
export function lister(ctx: StoreContext, findById: (id: string) => Promise<StoredKey | null>) {
  const { call, k } = ctx;

  /** Reads a record that an owner index lists but that lives in a workspace group. */
  async function foreign(id: string, ownerId: string, includeRevoked: boolean): Promise<StoredKey | null> {
    const record = await findById(id);
    if (record === null || record.ownerId !== ownerId || (!includeRevoked && record.revokedAt !== null)) return null;
    return record;
  }

  async function list(query: ListQuery): Promise<ListPage<StoredKey>> {
    if (!query || (typeof query.workspaceId !== 'string' && typeof query.ownerId !== 'string')) {
      throw new KeywardError('invalid_argument', { message: 'list needs a workspaceId or an ownerId' });
    }
    const limit = query.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new KeywardError('invalid_argument', { message: 'limit must be an integer from 1 to 1000' });
    }
    let start = '-';
    if (query.cursor !== undefined) {
      const member = typeof query.cursor === 'string' ? memberOfCursor(query.cursor) : null;
      if (member === null) throw new KeywardError('invalid_argument', { message: 'invalid cursor: pass the nextCursor of the previous page' });
      start = `(${member}`;
    }
    const includeRevoked = query.includeRevoked !== false;
    const byWorkspace = typeof query.workspaceId === 'string';
    const tag = byWorkspace ? workspaceTag(query.workspaceId!) : ownerTag(query.ownerId!);
    const ownerFilter = byWorkspace && typeof query.ownerId === 'string';
    const items: StoredKey[] = [];
    for (;;) {
      const want = limit + 1 - items.length;
      const reply = (await call(
        LIST,
        [k(indexSuffix(tag))],
        [
          k(`${tag}k:`),
          start,
          want,
          includeRevoked ? '1' : '0',
          ownerFilter ? '1' : '0',
          ownerFilter ? query.ownerId! : '',
          byWorkspace ? '0' : '1',
          LIST_SCAN_BUDGET,
        ],
      )) as [number, string, ...Array<[string, Flat?]>];
      const [exhausted, last, ...entries] = reply;
      const resolved = await Promise.all(
        entries.map(([member, flat]) => (flat !== undefined ? decodeKey(flat) : foreign(member.slice(18), query.ownerId!, includeRevoked))),
      );
      for (const record of resolved) if (record !== null) items.push(record);
      if (items.length > limit || exhausted === 1 || last === '') break;
      start = `(${last}`;
    }
    const page = items.slice(0, limit);
    return { items: page, nextCursor: items.length > limit ? cursorOf(page[page.length - 1]!) : null };
  }

  return list;
}
