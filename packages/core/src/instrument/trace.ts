import { isKeywardError, type KeywardErrorCode } from '../errors.js';
import type { StoredKey } from '../store/types.js';
import type { Probe } from './probe.js';
import { errorTypeOf } from './probe.js';
import type { CacheResult, LifecycleEvent, LifecycleOperation, StoreCallEvent, StoreOperation, Timestamp, VerifyEvent } from './types.js';

/** The name a store calls itself (`KeyStore.system`), for store events. */
export function systemOf(store: unknown): string {
  const system = (store as { system?: unknown } | null)?.system;
  return typeof system === 'string' && system.length > 0 && system.length <= 40 ? system : 'other';
}

/** No steps (shared: most verifies have none, or one). */
const NO_STEPS: readonly StoreCallEvent[] = Object.freeze([]);

/**
 * One store call, recorded when it starts (so that steps are in the order they started) and
 * completed when it answers. A call the operation stopped waiting for (its store timeout) is
 * closed as a `timeout` when the operation answers; a later answer changes nothing.
 */
export class Step implements StoreCallEvent {
  end: Timestamp = -1;
  outcome: StoreCallEvent['outcome'] = 'ok';
  declare errorType?: string;
  /** Answered, or closed by its operation: never changed again (the record may have been handed out). */
  closed = false;

  constructor(
    readonly system: string,
    readonly operation: StoreOperation,
    readonly start: Timestamp,
  ) {}

  /** The answer (an error, or `undefined` for a success) at `end`. */
  settle(end: Timestamp, error: unknown): void {
    this.closed = true;
    this.end = end;
    if (error !== undefined) {
      this.outcome = 'error';
      this.errorType = errorTypeOf(error);
    }
  }

  /** The operation answered without this call's answer: the engine stopped waiting (its store timeout). */
  abandon(end: Timestamp): void {
    this.closed = true;
    this.end = end;
    this.outcome = 'timeout';
    this.errorType = 'timeout';
  }
}

/**
 * Where the store calls of one operation go: the operation's steps. Once the operation has
 * answered (`done`), a call it left running is a store event of its own.
 */
export interface StepSink {
  steps: readonly StoreCallEvent[];
  done: boolean;
}

/** A call starts: its step in `sink` when the operation is running, else `null` (a background call). */
export function openStep(sink: StepSink | null, system: string, operation: StoreOperation, start: Timestamp): Step | null {
  if (sink === null || sink.done) return null;
  const step = new Step(system, operation, start);
  if (sink.steps === NO_STEPS) sink.steps = [step];
  else (sink.steps as StoreCallEvent[]).push(step);
  return step;
}

/** A call answered: completes its step, or tells it as a store event (a background call); and tells outages. */
export function closeStep(
  probe: Probe,
  step: Step | null,
  system: string,
  operation: StoreOperation,
  start: Timestamp,
  error: unknown,
  tracksOutage = true,
): void {
  const end = probe.now();
  if (step === null) {
    const event = new Step(system, operation, start);
    event.settle(end, error);
    probe.store?.(event);
  } else if (step.closed) {
    // Answered after its operation gave up on it: already told as a timeout.
    return;
  } else {
    step.settle(end, error);
  }
  if (tracksOutage) probe.storeAnswered(system, operation, end, error, false);
}

/** What the outage notice of a call the engine stopped waiting for says. */
const NO_ANSWER = new Error('no answer within storeTimeout');

/** Closes the steps an operation stopped waiting for (as timeouts), and tells the outage. */
function abandonOpen(probe: Probe, steps: readonly StoreCallEvent[], end: Timestamp): void {
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i] as Step;
    if (step.closed) continue;
    step.abandon(end);
    probe.storeAnswered(step.system, step.operation, end, NO_ANSWER, true);
  }
}

/**
 * One verify, filled in by the pipeline's steps: the record the instruments receive (it is the
 * {@link VerifyEvent} itself, so that a verify allocates one object for its instruments).
 */
export class VerifyTrace implements VerifyEvent, StepSink {
  end: Timestamp = 0;
  ok = false;
  code: KeywardErrorCode | null = null;
  reason: string | null = null;
  keyId: string | null = null;
  workspaceId: string | null = null;
  format: string | null = null;
  cache: CacheResult = 'none';
  legacy = false;
  steps: readonly StoreCallEvent[] = NO_STEPS;
  done = false;

  constructor(
    readonly start: Timestamp,
    readonly routeWorkspaceId: string | null,
  ) {}

  /** The lookup's answer: the key it found (or none), from the cache unless a store read follows. */
  found(record: StoredKey | null): void {
    this.cache = 'hit';
    if (record === null) return;
    this.keyId = record.id;
    this.workspaceId = record.workspaceId;
    this.legacy = record.legacy;
  }

  /** Completes the record at `end` (`cached`: a cache stands in front of the store). */
  finish(probe: Probe, end: Timestamp, cached: boolean): void {
    this.done = true;
    this.end = end;
    const steps = this.steps;
    let read = false;
    for (let i = 0; i < steps.length; i++) {
      const operation = steps[i]!.operation;
      if (operation === 'findByHash' || operation === 'findById' || operation === 'findByHashAndConsume') read = true;
    }
    if (steps.length > 0) abandonOpen(probe, steps, end);
    this.cache = !cached ? 'none' : read ? 'miss' : this.cache;
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
  steps: readonly StoreCallEvent[] = NO_STEPS;
  done = false;

  constructor(probe: Probe, operation: LifecycleOperation, keyId: string | null = null, workspaceId: string | null = null) {
    this.start = probe.now();
    this.operation = operation;
    this.keyId = keyId;
    this.workspaceId = workspaceId;
  }

  finish(probe: Probe, error?: unknown): void {
    this.done = true;
    const end = probe.now();
    abandonOpen(probe, this.steps, end);
    const hook = probe.lifecycle;
    if (hook === null) return;
    const failed = error !== undefined;
    const code = !failed ? null : isKeywardError(error) ? error.code : errorTypeOf(error);
    hook({
      operation: this.operation,
      start: this.start,
      end,
      ok: !failed,
      code,
      keyId: this.keyId,
      workspaceId: this.workspaceId,
      ...(this.operation === 'rotate' ? { previousKeyId: this.previousKeyId } : {}),
      changes: failed ? [] : this.changes,
      steps: this.steps,
    });
  }
}
