import type { Engine } from '../engine/context.js';
import { toPublic } from '../engine/public-view.js';
import type { ApiKey } from '../engine/types.js';
import { scrubKeys } from '../helpers.js';
import { reportLeak } from '../leaks/report-leak.js';
import type { LeakOptions, LeakOutcome, LeakReport } from '../leaks/types.js';
import type { ListPage } from '../store/types.js';
import { read } from '../verify/lookup.js';
import { updateKey, revokeKey } from './change.js';
import { checkWorkspace } from './checks.js';
import { type ExpiringKeysQuery, expiringKeys } from './expiring.js';
import { inspectToken, type TokenInspection } from './inspect.js';
import type { OnceGate } from './once.js';
import { guarded } from './read.js';
import { rotateKey } from './rotate.js';

/**
 * Watching keys from the management side: what a token is (`inspect`), a leak report acted on once
 * (`reportLeak`), keys about to expire (`expiring`) and their warnings (`sweepExpiring`). The
 * work is in `inspect.ts`, `leaks/report-leak.ts` and `expiring.ts`; here each gets what it needs of
 * the engine.
 */

export function inspectKey(engine: Engine, token: string): Promise<TokenInspection> {
  return inspectToken(
    {
      store: engine.store,
      formats: engine.formats,
      hashers: engine.hashers,
      legacySunset: engine.legacy.sunset,
      now: engine.now,
      find: (readRow) => guarded(engine, () => read(engine, readRow())),
      toPublic: (record) => toPublic(engine, record),
    },
    token,
  );
}

export function reportKeyLeak(engine: Engine, report: LeakReport, options: LeakOptions | undefined): Promise<LeakOutcome> {
  return reportLeak(
    {
      inspect: (token) => inspectKey(engine, token),
      revoke: (id, o) => revokeKey(engine, id, o),
      rotate: (id, o) => rotateKey(engine, id, o),
      update: (id, input, o) => updateKey(engine, id, input, o),
      audit: (input) => engine.auditRecorder?.record(input),
      scrub: (text) => scrubKeys(text, engine.formats),
      once: failingAsStore(engine, engine.once()),
      now: engine.now,
    },
    report,
    options,
  );
}

/** A once-gate whose failures, a timeout included, are `store_unavailable` (the report is retried). */
function failingAsStore(engine: Engine, gate: OnceGate): OnceGate {
  return { shared: gate.shared, claim: (group, name, now, until) => guarded(engine, () => gate.claim(group, name, now, until)) };
}

export function listExpiring(engine: Engine, query: ExpiringKeysQuery): Promise<ListPage<ApiKey>> {
  return expiringKeys(
    {
      store: engine.store,
      now: engine.now,
      guarded: (action) => guarded(engine, action),
      checkWorkspace: (value) => checkWorkspace(value),
      toPublic: (record) => toPublic(engine, record),
    },
    query,
  );
}

/** @throws {TypeError} when the audit log is off. */
export function sweepExpiring(engine: Engine, options: { workspaceId?: string }): Promise<{ keys: number; warned: number }> {
  if (engine.auditRecorder === null) throw new TypeError('sweepExpiring records audit events: createKeyward({ audit: true, ... })');
  const watch = engine.expiryWatch;
  const within = watch.thresholds[0]!;
  return watch.sweep((cursor) =>
    listExpiring(engine, {
      within,
      limit: 500,
      ...(options.workspaceId !== undefined ? { workspaceId: options.workspaceId } : {}),
      ...(cursor ? { cursor } : {}),
    }),
  );
}
