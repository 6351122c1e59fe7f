import { isPromiseLike } from '../internal/awaitable.js';
import type { StoredKey } from '../store/types.js';
import type { Probe } from './probe.js';
import { type StepSink, recordCall, systemOf } from './trace.js';
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

/** What a recording store holds: the store it stands for, and where its calls go. */
interface Recorder {
  readonly raw: Record<string, (...args: unknown[]) => unknown>;
  readonly probe: Probe;
  readonly sink: StepSink | null;
  readonly system: string;
  /** Races the engine's timed reads against `storeTimeout` (on the verify path); `null`: no race. */
  readonly timeout: ((answer: PromiseLike<unknown>) => Promise<unknown>) | null;
  readonly onRow: ((row: StoredKey) => void) | null;
}

/** The reads the engine races against `storeTimeout` (lifecycle writes and counters are not raced). */
const TIMED: ReadonlySet<StoreOperation> = new Set(['findById', 'findByHash', 'findByHashAndConsume']);

function recordingMethod(operation: StoreOperation) {
  const isFind = operation === 'findById' || operation === 'findByHash';
  const raced = TIMED.has(operation);
  // Two parameters cover every store method (no rest array per call, on the verify path).
  return function (this: Recorder, a: unknown, b: unknown): unknown {
    const { probe, sink, system } = this;
    const start = probe.now();
    let answer: unknown;
    try {
      answer = this.raw[operation]!(a, b);
    } catch (error) {
      recordCall(probe, sink, system, operation, start, error);
      throw error;
    }
    const onRow = isFind ? this.onRow : null;
    if (!isPromiseLike(answer)) {
      recordCall(probe, sink, system, operation, start, undefined);
      if (onRow !== null && answer !== null && typeof answer === 'object') onRow(answer as StoredKey);
      return answer;
    }
    // The engine races its reads against storeTimeout: racing here instead (the engine then does
    // not race again) is what tells a timeout apart, and ends the step when the engine gives up.
    const answered = raced && this.timeout !== null ? this.timeout(answer) : Promise.resolve(answer);
    // One continuation records the call and checks the row.
    return answered.then(
      (value) => {
        recordCall(probe, sink, system, operation, start, undefined);
        if (onRow !== null && value !== null && typeof value === 'object') onRow(value as StoredKey);
        return value;
      },
      (error: unknown) => {
        recordCall(probe, sink, system, operation, start, error ?? new Error('rejected'));
        throw error;
      },
    );
  };
}

/**
 * Stand-ins for one store whose calls are recorded: the same methods as the store (and only those,
 * so that "does this store implement usage?" answers the same), made once per store; a stand-in
 * per verify or lifecycle call costs one small object.
 */
export class RecordingStores<S extends object> {
  private readonly proto: object;
  readonly system: string;

  constructor(
    private readonly raw: S,
    private readonly probe: Probe,
    private readonly timeout: (answer: PromiseLike<unknown>) => Promise<unknown>,
    private readonly onRow: ((row: StoredKey) => void) | null,
  ) {
    this.system = systemOf(raw);
    const proto: Record<string, unknown> = {};
    for (const name of METHODS) {
      if (typeof (raw as Record<string, unknown>)[name] === 'function') proto[name] = recordingMethod(name);
    }
    const local = (raw as { local?: unknown }).local;
    if (local !== undefined) proto.local = local;
    proto.system = this.system;
    this.proto = proto;
  }

  /**
   * The store as seen by one operation: its calls are steps of `sink` (`null`: store events);
   * `timed`: on the verify path, where the engine races its reads against `storeTimeout`.
   */
  for(sink: StepSink | null, timed: boolean): S {
    const recorder: Recorder = Object.create(this.proto) as Recorder;
    const writable = recorder as { -readonly [K in keyof Recorder]: Recorder[K] };
    writable.raw = this.raw as unknown as Recorder['raw'];
    writable.probe = this.probe;
    writable.sink = sink;
    writable.system = this.system;
    writable.timeout = timed ? this.timeout : null;
    writable.onRow = this.onRow;
    return recorder as unknown as S;
  }
}
