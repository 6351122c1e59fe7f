// `pnpm --filter @keyward/example-tuco start` on PostgreSQL and on Redis: the demo keys it prints,
// and the key-management flow through the sign-in links it prints.
import { fileURLToPath } from 'node:url';
import { checkManagementFlow, expectDashboardBanner, startEnvs, startExample } from '@keyward/example-support/testing';
import { describe, expect, inject, it } from 'vitest';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

describe('tuco start', () => {
  for (const [name, env] of startEnvs(inject)) {
    it(`serves the demo keys it prints, and the management API, on ${name}`, { timeout: 60_000 }, async () => {
      const app = await startExample(main, env());
      try {
        expect(app.output).toContain(name);
        const { workspace_a, workspace_a_staging, workspace_b, revoked } = app.keys;
        const get = (key: string) => fetch(`${app.origin}/api/v1/projects`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
        expect(await Promise.all([workspace_a!, workspace_a_staging!, workspace_b!, revoked!].map(get))).toEqual([200, 200, 200, 401]);
        expectDashboardBanner(app, ['owner', 'admin', 'member']);
        await checkManagementFlow({ origin: app.origin, workspace: 'ws_acme', otherWorkspace: 'ws_globex', product: get });
      } finally {
        await app.stop();
      }
    });
  }
});
