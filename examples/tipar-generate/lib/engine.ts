// The engine of Tipar, shared by the server that starts Next.js (src/server.ts: it creates the
// engine, seeds the demo keys and prints them) and the route handlers Next.js runs in the same
// process, through `globalThis` — route bundles do not share module instances with the server.
import {
  createKeyward,
  type Instrumentation,
  prefixedFormat,
  problemDetails,
  type InvalidationBus,
  type KeyStore,
  type Keyward,
} from '@keyward/core';

const SLOT = Symbol.for('keyward.example.tipar');
const HANDLERS = Symbol.for('keyward.example.tipar.handlers');

/** The web-standard handlers the server makes at start: the dashboard, and the demo sign-in. */
export interface TiparHandlers {
  dashboard(request: Request): Promise<Response>;
  signIn(request: Request): Promise<Response>;
}

/** "the tipar_live_ prefix followed by 32 random characters". */
export const tiparFormat = prefixedFormat({ prefix: 'tipar', environments: ['live'], randomLength: 32, checksum: false });

/** Tipar's engine: its key format, Problem Details, and a monthly quota of `quota` PDFs per workspace. */
export function tiparKeyward(options: {
  store: KeyStore;
  invalidation?: InvalidationBus;
  quota: number;
  now?: () => number;
  instrument?: Instrumentation;
}): Keyward {
  return createKeyward({
    store: options.store,
    invalidation: options.invalidation,
    instrument: options.instrument,
    now: options.now,
    format: tiparFormat,
    // "The body is a Problem Details document", with `WWW-Authenticate: Bearer`.
    renderer: problemDetails({ typeBase: 'https://docs.tipar.dev/errors/' }),
    // "Valid key, but monthly quota reached: 402 Payment Required". The quota is the workspace's:
    // "there's no limit on how many keys you can hold", so a quota per key would be no limit at all
    // (a new key would bring a fresh one). A rotated key's successor would keep it either way.
    policies: { quota: { limit: options.quota, period: 'month', per: 'workspace' } },
    // The last-used date of each key, for the dashboard; the audit log of key changes and refused
    // requests. Refusals of a key the pipeline found carry its hint, so the log reads no key in the
    // background: "no database lookup" for malformed tokens holds (test/tipar.test.ts).
    usage: true,
    audit: true,
  });
}

const slots = globalThis as Record<symbol, unknown>;

/** What the server put in `slot` at start. */
function taken<T>(slot: symbol, what: string): T {
  const value = slots[slot] as T | undefined;
  if (!value) throw new Error(`the Tipar ${what} is not set: start the app with src/main.ts`);
  return value;
}

export function setEngine(keyward: Keyward): void {
  slots[SLOT] = keyward;
}

/** The engine of this process. */
export function engine(): Keyward {
  return taken<Keyward>(SLOT, 'engine');
}

export function setHandlers(handlers: TiparHandlers): void {
  slots[HANDLERS] = handlers;
}

/** The dashboard and the sign-in of this process. */
export function handlers(): TiparHandlers {
  return taken<TiparHandlers>(HANDLERS, 'dashboard');
}
