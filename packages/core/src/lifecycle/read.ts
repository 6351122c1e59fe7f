import type { Engine } from '../engine/context.js';
import { toPublic } from '../engine/public-view.js';
import type { ApiKey, WorkspaceGuard } from '../engine/types.js';
import { isKeywardError, KeywardError } from '../errors.js';
import { bounded } from '../internal/bounded.js';
import type { Awaitable, ListPage, ListQuery, StoredKey } from '../store/types.js';
import { checkRow } from '../verify/lookup.js';
import { checkCursor, checkId, checkLimit, checkWorkspace, invalidArgument } from './checks.js';

/**
 * A store call of the lifecycle or the reports, within `storeTimeout`: a `KeywardError`
 * (`conflict`, `not_found`) and a bug (`TypeError`, `RangeError`) go through as they are; any other
 * failure, a timeout included, is `store_unavailable` (a 503 with `Retry-After`).
 */
export async function guarded<T>(engine: Engine, action: (signal: AbortSignal) => Awaitable<T>): Promise<T> {
  try {
    // Within storeTimeout, as a lookup: a hung store is a 503, never a call held until it returns.
    // The signal is aborted then, for a store call that can still give up (a rotation's transaction).
    const controller = new AbortController();
    return await bounded(action(controller.signal), engine.storeTimeout, 'the store', (error) => controller.abort(error));
  } catch (cause) {
    if (isKeywardError(cause) || cause instanceof TypeError || cause instanceof RangeError) throw cause;
    throw new KeywardError('store_unavailable', { cause, retryAfter: engine.retryAfter });
  }
}

/**
 * The stored record of a key id, within the guard's workspace.
 * @throws {KeywardError} `not_found` for no key, or a key of another workspace.
 */
export async function getStored(engine: Engine, id: string, guard: WorkspaceGuard | undefined): Promise<StoredKey> {
  checkId(id);
  const record = checkRow(await guarded(engine, () => engine.store.findById(id)));
  if (record === null || (guard?.workspaceId !== undefined && record.workspaceId !== guard.workspaceId)) {
    throw new KeywardError('not_found', { keyId: id });
  }
  return record;
}

/** A key by id, or `null` (a key of another workspace too). */
export async function getKey(engine: Engine, id: string, guard: WorkspaceGuard | undefined): Promise<ApiKey | null> {
  try {
    return toPublic(engine, await getStored(engine, id, guard));
  } catch (e) {
    if (isKeywardError(e) && e.code === 'not_found') return null;
    throw e;
  }
}

/** Keys of a workspace (or of a legacy owner), oldest first, without hashes. */
export async function listKeys(engine: Engine, query: ListQuery): Promise<ListPage<ApiKey>> {
  if (!query || (query.workspaceId === undefined && query.ownerId === undefined)) {
    throw invalidArgument('list needs a workspaceId or an ownerId');
  }
  if (query.workspaceId !== undefined) checkWorkspace(query.workspaceId);
  if (query.ownerId !== undefined) checkWorkspace(query.ownerId, 'ownerId');
  checkLimit(query.limit);
  checkCursor(query.cursor);
  const page = await guarded(engine, () => engine.store.list(query));
  return { items: page.items.map((r) => toPublic(engine, checkRow(r)!)), nextCursor: page.nextCursor };
}
