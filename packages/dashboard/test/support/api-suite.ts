// The management API's contract, independent of the store: run by api.<store>.test.ts against the
// memory store, PostgreSQL and Redis.
import { afterAll, describe } from 'vitest';
import { type FullStore, type Harness, harness } from './harness.js';
import { keyTests } from './suite-keys.js';
import { reportTests } from './suite-reports.js';
import { ruleTests } from './suite-rules.js';
import { sessionTests } from './suite-session.js';

export interface ApiSuiteOptions {
  /** Shown in the test names. */
  name: string;
  /** A store no other test sees (a fresh schema, prefix or instance). */
  createStore: () => Promise<FullStore> | FullStore;
  closeStore?: (store: FullStore) => Promise<void> | void;
}

/** Makes a harness on a fresh store; closes them all at the end. */
export type Fresh = (options?: Parameters<typeof harness>[1], wrap?: (store: FullStore) => FullStore) => Promise<Harness>;

export function describeDashboardApi(options: ApiSuiteOptions): void {
  describe(`management API on ${options.name}`, () => {
    const opened: { h: Harness; store: FullStore }[] = [];
    const fresh: Fresh = async (harnessOptions, wrap) => {
      const store = await options.createStore();
      const h = await harness(wrap ? wrap(store) : store, harnessOptions);
      opened.push({ h, store });
      return h;
    };
    afterAll(async () => {
      for (const { h, store } of opened) {
        await h.close();
        await options.closeStore?.(store);
      }
    });
    sessionTests(fresh);
    keyTests(fresh);
    ruleTests(fresh);
    reportTests(fresh);
  });
}
