// `pnpm --filter @keyward/example-tiro-notes start` on PostgreSQL and on Redis: the demo keys it
// prints, and the key-management flow through the sign-in links it prints.
import { fileURLToPath } from 'node:url';
import { checkManagementFlow, expectDashboardBanner, startEnvs, startExample } from '@keyward/example-support/testing';
import { describe, expect, inject, it } from 'vitest';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

describe('tiro start', () => {
  for (const [name, env] of startEnvs(inject)) {
    it(`serves the demo keys it prints, and the management API, on ${name}`, { timeout: 60_000 }, async () => {
      const app = await startExample(main, env());
      try {
        expect(app.output).toContain(name);
        expect(Object.keys(app.keys).sort()).toEqual(['expired', 'legacy', 'revoked', 'workspace_a', 'workspace_b']);
        const get = (key: string) => fetch(`${app.origin}/v1/external/notes`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
        const { workspace_a, workspace_b, expired, revoked, legacy } = app.keys;
        expect(await Promise.all([workspace_a!, workspace_b!, expired!, revoked!, legacy!].map(get))).toEqual([200, 200, 401, 401, 401]);
        expectDashboardBanner(app);
        await checkManagementFlow({ origin: app.origin, workspace: 'ws_research', otherWorkspace: 'ws_sales', product: get });
      } finally {
        await app.stop();
      }
    });
  }
});
