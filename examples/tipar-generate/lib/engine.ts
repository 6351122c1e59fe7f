// The engine of Tipar, shared by the server that starts Next.js (src/server.ts: it creates the
// engine, seeds the demo keys and prints them) and the route handlers Next.js runs in the same
// process, through `globalThis` — route bundles do not share module instances with the server.
import { createKeyward, prefixedFormat, problemDetails, type InvalidationBus, type KeyStore, type Keyward } from '@keyward/core';

const SLOT = Symbol.for('keyward.example.tipar');

/** "the tipar_live_ prefix followed by 32 random characters". */
export const tiparFormat = prefixedFormat({ prefix: 'tipar', environments: ['live'], randomLength: 32, checksum: false });

/** Tipar's engine: its key format, Problem Details, and a monthly quota of `quota` PDFs. */
export function tiparKeyward(options: { store: KeyStore; invalidation?: InvalidationBus; quota: number; now?: () => number }): Keyward {
  return createKeyward({
    store: options.store,
    invalidation: options.invalidation,
    now: options.now,
    format: tiparFormat,
    // "The body is a Problem Details document", with `WWW-Authenticate: Bearer`.
    renderer: problemDetails({ typeBase: 'https://docs.tipar.dev/errors/' }),
    // "Valid key, but monthly quota reached: 402 Payment Required".
    policies: { quota: { limit: options.quota, period: 'month' } },
  });
}

export function setEngine(keyward: Keyward): void {
  (globalThis as Record<symbol, unknown>)[SLOT] = keyward;
}

/** The engine of this process. */
export function engine(): Keyward {
  const keyward = (globalThis as Record<symbol, unknown>)[SLOT] as Keyward | undefined;
  if (!keyward) throw new Error('the Tipar engine is not set: start the app with src/main.ts');
  return keyward;
}
