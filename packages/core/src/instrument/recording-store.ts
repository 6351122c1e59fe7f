import { isPromiseLike } from '../internal/awaitable.js';
import type { StoredKey } from '../store/types.js';
import type { Probe } from './probe.js';
import { closeStep, openStep, type StepSink, systemOf } from './trace.js';
import type { StoreOperation } from './types.js';

/** Every store method the engine calls, of every store interface (keys, counters, usage, audit). */
const METHODS: readonly StoreOperation[] = [
  'insert',
  'findById',
  'findByHash',
  'findByHashAndConsume',
  'consumeCounters',
  'list',
  'update',
  'delete',
  'rotate',
  'addUsage',
  'touchKeys',
  'readUsage',
  'appendAudit',
  'readAudit',
];

/** The calls a verify waits for: its steps. (Anything else it starts, a hash upgrade, is background work.) */
const VERIFY_STEPS: ReadonlySet<StoreOperation> = new Set(['findById', 'findByHash', 'findByHashAndConsume', 'consumeCounters']);

/** Who the calls of a recording store belong to: the operation it runs for now (`sink`), read at each call. */
export interface SinkHolder {
  readonly sink: StepSink | null;
}

/** Calls of no operation: background writes (usage, audit), told as store events. */
export const BACKGROUND: SinkHolder = Object.freeze({ sink: null });

/** What a recording store holds: the store it stands for, and where its calls go. */
interface Recorder {
  readonly raw: Record<string, (a: unknown, b: unknown) => unknown>;
  readonly probe: Probe;
  readonly holder: SinkHolder;
  readonly system: string;
  readonly onRow: ((row: StoredKey) => void) | null;
  /** The stand-in of a verify: only the calls it waits for are its steps. */
  readonly verify: boolean;
  /** An in-process store: a call that answers at once is not timed (see `recordingMethod`). */
  readonly inProcess: boolean;
  /** Where a call goes: its operation's steps, or `null` (a store event). */
  sinkOf(verifyStep: boolean): StepSink | null;
}

/** Shared by every stand-in (their prototype's). */
function sinkOf(this: Recorder, verifyStep: boolean): StepSink | null {
  // On a verify, only the calls it waits for are its steps (a hash upgrade is background work).
  return this.verify && !verifyStep ? null : this.holder.sink;
}

function recordingMethod(operation: StoreOperation) {
  const isFind = operation === 'findById' || operation === 'findByHash';
  const verifyStep = VERIFY_STEPS.has(operation);
  // Two parameters cover every store method (no rest array per call, on the verify path).
  return function (this: Recorder, a: unknown, b: unknown): unknown {
    const { probe, system } = this;
    const onRow = isFind ? this.onRow : null;
    let start = 0;
    let answer: unknown;
    if (this.inProcess) {
      // An in-process store (the memory store, on a verify): a call that answers at once is no
      // round trip, and reading the clock twice would cost more than the call. Its failures and
      // its rows are still checked (outage notices, misconfigurations); an answer that is a
      // promise is timed from here.
      try {
        answer = this.raw[operation]!(a, b);
      } catch (error) {
        const now = probe.now();
        closeStep(probe, openStep(this.sinkOf(verifyStep), system, operation, now), system, operation, now, error);
        throw error;
      }
      if (!isPromiseLike(answer)) {
        probe.storeOk(system);
        if (onRow !== null && answer !== null && typeof answer === 'object') onRow(answer as StoredKey);
        return answer;
      }
      start = probe.now();
    } else {
      start = probe.now();
      try {
        answer = this.raw[operation]!(a, b);
      } catch (error) {
        closeStep(probe, openStep(this.sinkOf(verifyStep), system, operation, start), system, operation, start, error);
        throw error;
      }
    }
    // The step is in its operation's list from the start: a call the engine stops waiting for
    // (its store timeout) is then closed as a timeout when the operation answers.
    const step = openStep(this.sinkOf(verifyStep), system, operation, start);
    if (!isPromiseLike(answer)) {
      closeStep(probe, step, system, operation, start, undefined);
      if (onRow !== null && answer !== null && typeof answer === 'object') onRow(answer as StoredKey);
      return answer;
    }
    return answer.then(
      (value) => {
        closeStep(probe, step, system, operation, start, undefined);
        if (onRow !== null && value !== null && typeof value === 'object') onRow(value as StoredKey);
        return value;
      },
      (error: unknown) => {
        closeStep(probe, step, system, operation, start, error ?? new Error('rejected'));
        throw error;
      },
    );
  };
}

/**
 * The prototypes of stand-ins, one per kind of store (its methods, `local` and `system`): the
 * stand-ins of every store of a kind (every engine's memory store, say) then share one hidden
 * class, and the recording methods' property reads stay monomorphic across engines.
 */
const protos = new Map<string, object>();

function protoFor(raw: object, system: string): object {
  const names = METHODS.filter((name) => typeof (raw as Record<string, unknown>)[name] === 'function');
  const local = (raw as { local?: unknown }).local;
  const kind = `${system}\u0000${String(local)}\u0000${names.join(',')}`;
  let proto = protos.get(kind);
  if (proto === undefined) {
    const made: Record<string, unknown> = { sinkOf };
    for (const name of names) made[name] = recordingMethod(name);
    if (local !== undefined) made.local = local;
    made.system = system;
    proto = made;
    protos.set(kind, proto);
  }
  return proto;
}

/**
 * Stand-ins for one store whose calls are recorded: the same methods as the store (and only those,
 * so that "does this store implement usage?" answers the same), made once per store. A stand-in
 * costs one small object, made once per pooled verify view or per lifecycle call.
 */
export class RecordingStores<S extends object> {
  private readonly proto: object;
  readonly system: string;

  constructor(
    private readonly raw: S,
    private readonly probe: Probe,
    private readonly onRow: ((row: StoredKey) => void) | null,
  ) {
    this.system = systemOf(raw);
    this.proto = protoFor(raw, this.system);
  }

  /**
   * The store as seen by `holder`'s operations; `verify`: the stand-in of verify views;
   * `inProcess`: calls that answer at once are not timed (an in-process store on a verify).
   */
  for(holder: SinkHolder, verify = false, inProcess = false): S {
    const recorder = Object.create(this.proto) as { -readonly [K in keyof Recorder]: Recorder[K] };
    recorder.raw = this.raw as unknown as Recorder['raw'];
    recorder.probe = this.probe;
    recorder.holder = holder;
    recorder.system = this.system;
    recorder.onRow = this.onRow;
    recorder.verify = verify;
    recorder.inProcess = inProcess;
    return recorder as unknown as S;
  }
}
