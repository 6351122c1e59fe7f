import type { CacheEvent, Instrumentation, LifecycleEvent, Logger, Notice, StoreCallEvent, StoreOperation, Timestamp, VerifyEvent } from './types.js';
import { noticeToLog } from './log.js';

type Hook<E> = ((event: E) => void) | null;

/**
 * The high-resolution wall clock of every runtime Keyward runs on; `Date.now` where there is none.
 * `timeOrigin` is read once (its getter costs as much as `now()` itself), and `performance` too
 * (the global's getter costs ~4 ns of the ~38 of a clock read, measured on Node 20).
 */
const perf = typeof performance === 'object' && performance !== null && typeof performance.now === 'function' ? performance : null;
const origin = perf?.timeOrigin;
const clock: () => Timestamp = perf !== null && typeof origin === 'number' ? () => origin + perf.now() : Date.now;

/** One hook of several instruments: each called in turn, none able to throw into the engine. */
function fanOut<E>(hooks: ((event: E) => void)[]): Hook<E> {
  if (hooks.length === 0) return null;
  if (hooks.length === 1) {
    const only = hooks[0]!;
    return (event) => {
      try {
        only(event);
      } catch {
        // An instrument never changes an answer.
      }
    };
  }
  return (event) => {
    for (const hook of hooks) {
      try {
        hook(event);
      } catch {
        // Same as above, and the others still hear it.
      }
    }
  };
}

function collect<K extends keyof Instrumentation>(list: readonly Instrumentation[], name: K): NonNullable<Instrumentation[K]>[] {
  const hooks: NonNullable<Instrumentation[K]>[] = [];
  for (const instrument of list) {
    const hook = instrument[name];
    if (typeof hook === 'function') hooks.push(hook.bind(instrument) as NonNullable<Instrumentation[K]>);
  }
  return hooks;
}

/**
 * The class of an error, never its message: a short `code` (`ECONNREFUSED`, a SQLSTATE, an ioredis
 * code) or its constructor's `name`.
 */
export function errorTypeOf(error: unknown): string {
  let value = error;
  // A KeywardError wrapping the store's error: the cause is what failed.
  for (let depth = 0; depth < 3 && value instanceof Error && value.name === 'KeywardError' && value.cause !== undefined; depth++) value = value.cause;
  if (typeof value === 'object' && value !== null) {
    const code = (value as { code?: unknown }).code;
    if (typeof code === 'string' && /^[A-Za-z0-9_.-]{1,40}$/.test(code)) return code;
    const name = (value as { name?: unknown }).name;
    if (typeof name === 'string' && /^[A-Za-z0-9_.$-]{1,40}$/.test(name)) return name;
  }
  return 'Error';
}

/**
 * An error's message without anything that could be a secret: keys of the engine's formats are
 * redacted, and every long hexadecimal (a digest) or base64 run goes. At most 300 characters.
 */
export function redactMessage(error: unknown, scrub: (text: string) => string): string {
  let value = error;
  for (let depth = 0; depth < 3 && value instanceof Error && value.name === 'KeywardError' && value.cause !== undefined; depth++) value = value.cause;
  const text = value instanceof Error ? value.message : typeof value === 'string' ? value : '';
  return scrub(text.slice(0, 2000))
    .replace(/[0-9A-Fa-f]{16,}/g, '[redacted]')
    .replace(/[A-Za-z0-9+/_-]{24,}={0,2}/g, '[redacted]')
    .slice(0, 300);
}

const LEGACY_LOG_INTERVAL = 3_600_000;
const LEGACY_LOG_MAX = 10_000;

/**
 * The engine's side of the seam: the hooks of every attached instrument (and of the logger),
 * each `null` when no one listens, plus what the notices need to remember (outages, problems
 * already told). The engine holds `null` instead of a probe when nothing is attached.
 */
export class Probe {
  readonly now: () => Timestamp = clock;
  readonly verify: Hook<VerifyEvent>;
  readonly lifecycle: Hook<LifecycleEvent>;
  readonly store: Hook<StoreCallEvent>;
  readonly cache: Hook<CacheEvent>;
  readonly notice: Hook<Notice>;
  private readonly redact: (error: unknown) => string;
  /** Per store system: when its current outage began. */
  private readonly down = new Map<string, Timestamp>();
  private readonly told = new Set<string>();
  private readonly legacyToldAt = new Map<string, Timestamp>();

  constructor(list: readonly Instrumentation[], logger: Logger | undefined, scrub: (text: string) => string) {
    this.verify = fanOut(collect(list, 'verify'));
    this.lifecycle = fanOut(collect(list, 'lifecycle'));
    this.store = fanOut(collect(list, 'store'));
    this.cache = fanOut(collect(list, 'cache'));
    const notices = collect(list, 'notice');
    if (logger !== undefined) notices.push((notice: Notice) => noticeToLog(logger, notice));
    this.notice = fanOut(notices);
    this.redact = (error) => redactMessage(error, scrub);
  }

  /**
   * After every store call: tells the start of an outage once, and its end. (Called for every
   * store call when a probe exists, whatever the hooks: a map lookup only when something failed.)
   */
  storeAnswered(system: string, operation: StoreOperation, end: Timestamp, error: unknown, timedOut: boolean): void {
    if (this.notice === null) return;
    if (error === undefined) {
      if (this.down.size === 0) return;
      const since = this.down.get(system);
      if (since === undefined) return;
      this.down.delete(system);
      this.notice({ event: 'keyward.store.recovered', level: 'info', system, downMs: Math.max(0, Math.round(end - since)) });
      return;
    }
    if (this.down.has(system)) return;
    this.down.set(system, end);
    this.notice({
      event: 'keyward.store.unavailable',
      level: 'error',
      system,
      operation,
      errorType: timedOut ? 'timeout' : errorTypeOf(error),
      error: this.redact(error),
    });
  }

  /** A store call answered at once without error: {@link storeAnswered}, the clock read only during an outage. */
  storeOk(system: string): void {
    if (this.down.size !== 0) this.storeAnswered(system, 'findByHash', this.now(), undefined, false);
  }

  /** The invalidation bus failed: told once until it is back. */
  busLost(error: unknown): void {
    if (this.notice === null || this.told.has('bus')) return;
    this.told.add('bus');
    this.notice({ event: 'keyward.invalidation.lost', level: 'warn', errorType: errorTypeOf(error), error: this.redact(error) });
  }

  /** The bus listens (again); told only after a loss. */
  busListening(): void {
    if (this.notice === null || !this.told.delete('bus')) return;
    this.notice({ event: 'keyward.invalidation.resubscribed', level: 'info' });
  }

  /** A misconfiguration, told once per problem and detail. */
  misconfigured(problem: string, detail: string): void {
    if (this.notice === null) return;
    const id = `${problem}\u0000${detail}`;
    if (this.told.has(id)) return;
    this.told.add(id);
    this.notice({ event: 'keyward.misconfiguration', level: 'warn', problem, detail });
  }

  /** A legacy key was used: told at most once per key per hour. */
  legacyUsed(keyId: string, workspaceId: string | null, ownerId: string | null, sunsetAt: Date | null): void {
    if (this.notice === null) return;
    const now = this.now();
    const last = this.legacyToldAt.get(keyId);
    if (last !== undefined && now - last < LEGACY_LOG_INTERVAL) return;
    if (this.legacyToldAt.size >= LEGACY_LOG_MAX) this.legacyToldAt.clear();
    this.legacyToldAt.set(keyId, now);
    this.notice({ event: 'keyward.legacy_key.used', level: 'warn', keyId, workspaceId, ownerId, sunsetAt: sunsetAt?.toISOString() ?? null });
  }

  hashUpgraded(keyId: string, from: string, to: string): void {
    this.notice?.({ event: 'keyward.hash.upgraded', level: 'info', keyId, from, to });
  }
}

/**
 * The probe for these options, or `null` when nothing is attached (the engine then does no
 * instrumentation work at all).
 * @throws {TypeError} for an instrument that is not an object, or a logger without info/warn/error.
 */
export function createProbe(
  instrument: Instrumentation | readonly Instrumentation[] | undefined,
  logger: Logger | undefined,
  scrub: (text: string) => string,
): Probe | null {
  const list = instrument === undefined ? [] : ([] as Instrumentation[]).concat(instrument as Instrumentation | Instrumentation[]);
  for (const item of list) {
    if (typeof item !== 'object' || item === null)
      throw new TypeError('options.instrument must be an Instrumentation object (or a list of them), e.g. otelInstrumentation()');
  }
  if (logger !== undefined) {
    for (const level of ['info', 'warn', 'error'] as const) {
      if (typeof logger?.[level] !== 'function')
        throw new TypeError(`options.logger must have ${level}(fields, message): pass pino's logger or console`);
    }
  }
  const probe = new Probe(list, logger, scrub);
  return probe.verify === null && probe.lifecycle === null && probe.store === null && probe.cache === null && probe.notice === null ? null : probe;
}
