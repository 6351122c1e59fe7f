import type { ApiKey, CreatedKey } from '../engine/types.js';
import type { LifecycleTrace } from './trace.js';

/**
 * What each lifecycle call did, read from its result for its record: the key it made (its id),
 * and what changed (for the keys created / revoked counts).
 */

/** Whether the call wrote through this store method (revoking a revoked key writes nothing). */
function wrote(trace: LifecycleTrace, operation: 'update'): boolean {
  return trace.steps?.some((s) => s.operation === operation && s.outcome === 'ok') ?? false;
}

export function issued(created: CreatedKey, trace: LifecycleTrace): void {
  trace.keyId = created.record.id;
  trace.changes.push('created');
}

export function imported(key: ApiKey, trace: LifecycleTrace): void {
  trace.keyId = key.id;
  trace.changes.push('created');
}

export function found(key: ApiKey | null, trace: LifecycleTrace): void {
  if (key !== null) trace.workspaceId = key.workspaceId;
}

export function updated(key: ApiKey, trace: LifecycleTrace): void {
  trace.workspaceId = key.workspaceId;
  trace.changes.push('updated');
}

export function revoked(key: ApiKey, trace: LifecycleTrace): void {
  trace.workspaceId = key.workspaceId;
  if (wrote(trace, 'update')) trace.changes.push('revoked');
}

export function deleted(done: boolean, trace: LifecycleTrace): void {
  if (done) trace.changes.push('deleted');
}

export function rotated(result: CreatedKey & { previous: ApiKey }, trace: LifecycleTrace): void {
  trace.keyId = result.record.id;
  trace.previousKeyId = result.previous.id;
  trace.workspaceId = result.record.workspaceId;
  trace.changes.push('created');
  // Without a grace period the old key is revoked in the same step.
  if (result.previous.revokedAt !== null) trace.changes.push('revoked');
}
