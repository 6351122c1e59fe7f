import { isKeywardError, type KeywardErrorCode } from '../errors.js';
import type { StoredKey } from '../store/types.js';
import type { Probe } from './probe.js';
import { errorTypeOf } from './probe.js';
import type { CacheResult, LifecycleEvent, LifecycleOperation, StoreCallEvent, StoreOperation, Timestamp } from './types.js';

/** The name a store calls itself (`KeyStore.system`), for store events. */
export function systemOf(store: unknown): string {
  const system = (store as { system?: unknown } | null)?.system;
  return typeof system === 'string' && system.length > 0 && system.length <= 40 ? system : 'other';
}

/** Thrown by the engine when a store call outlives `storeTimeout`, so that a timeout is told apart from an error. */
export class StoreTimeoutError extends Error {
  override readonly name = 'StoreTimeoutError';
}

/**
 * Where the store calls of one operation go: the operation's steps. Once the operation has
 * answered (`done`), a call it left running (a hash upgrade) is a store event of its own.
 */
export interface StepSink {
  steps: StoreCallEvent[] | null;
  done: boolean;
}

/** Records one finished store call: as a step of `sink`, or as a store event; and tells outages. */
export function recordCall(
  probe: Probe,
  sink: StepSink | null,
  system: string,
  operation: StoreOperation,
  start: Timestamp,
  error: unknown,
  tracksOutage = true,
): void {
  const end = probe.now();
  const timedOut = error instanceof StoreTimeoutError;
  const event: StoreCallEvent =
    error === undefined
      ? { system, operation, start, end, outcome: 'ok' }
      : { system, operation, start, end, outcome: timedOut ? 'timeout' : 'error', errorType: timedOut ? 'timeout' : errorTypeOf(error) };
  if (sink === null || sink.done) probe.store?.(event);
  else if (sink.steps === null) sink.steps = [event];
  else sink.steps.push(event);
  if (tracksOutage) probe.storeAnswered(system, operation, end, error, timedOut);
}

/** What one verify did, filled in by the pipeline's steps; one {@link VerifyEvent} when it answers. */
export class VerifyTrace implements StepSink {
  readonly start: Timestamp;
  readonly routeWorkspaceId: string | null;
  format: string | null = null;
  cache: CacheResult = 'none';
  keyId: string | null = null;
  workspaceId: string | null = null;
  legacy = false;
  /** The pipeline reached its decide step (so a lookup answered, from the cache or the store). */
  decided = false;
  steps: StoreCallEvent[] | null = null;
  done = false;

  constructor(start: Timestamp, routeWorkspaceId: string | undefined) {
    this.start = start;
    this.routeWorkspaceId = routeWorkspaceId ?? null;
  }

  /** The lookup's answer: the key it found (or none). */
  found(record: StoredKey | null): void {
    this.decided = true;
    if (record === null) return;
    this.keyId = record.id;
    this.workspaceId = record.workspaceId;
    this.legacy = record.legacy;
  }

  /** Emits the verify event. `keyId` of the refusal wins over the record's (a key id read from the token). */
  finish(probe: Probe, ok: boolean, code: KeywardErrorCode | null, reason: string | null, keyId: string | null): void {
    this.done = true;
    const hook = probe.verify;
    if (hook === null) return;
    hook({
      start: this.start,
      end: probe.now(),
      ok,
      code,
      reason,
      keyId: keyId ?? this.keyId,
      workspaceId: this.workspaceId,
      routeWorkspaceId: this.routeWorkspaceId,
      format: this.format,
      cache: this.cache,
      legacy: this.legacy,
      steps: this.steps ?? [],
    });
  }
}

/** What one lifecycle call did; one {@link LifecycleEvent} when it answers or throws. */
export class LifecycleTrace implements StepSink {
  readonly start: Timestamp;
  readonly operation: LifecycleOperation;
  keyId: string | null;
  workspaceId: string | null;
  previousKeyId: string | null = null;
  changes: LifecycleEvent['changes'][number][] = [];
  steps: StoreCallEvent[] | null = null;
  done = false;

  constructor(probe: Probe, operation: LifecycleOperation, keyId: string | null = null, workspaceId: string | null = null) {
    this.start = probe.now();
    this.operation = operation;
    this.keyId = keyId;
    this.workspaceId = workspaceId;
  }

  finish(probe: Probe, error?: unknown): void {
    this.done = true;
    const hook = probe.lifecycle;
    if (hook === null) return;
    const failed = error !== undefined;
    const code = !failed ? null : isKeywardError(error) ? error.code : errorTypeOf(error);
    hook({
      operation: this.operation,
      start: this.start,
      end: probe.now(),
      ok: !failed,
      code,
      keyId: this.keyId,
      workspaceId: this.workspaceId,
      ...(this.operation === 'rotate' ? { previousKeyId: this.previousKeyId } : {}),
      changes: failed ? [] : this.changes,
      steps: this.steps ?? [],
    });
  }
}
