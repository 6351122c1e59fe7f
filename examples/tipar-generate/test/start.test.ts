// `pnpm --filter @keyward/example-tipar-generate start` on PostgreSQL and on Redis (after its build):
// the demo keys it prints, and the key-management flow through the sign-in links it prints.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { checkManagementFlow, expectDashboardBanner, startEnvs, startExample } from '@keyward/example-support/testing';
import { beforeAll, describe, expect, inject, it } from 'vitest';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));
beforeAll(() => {
  execFileSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url))], { stdio: 'inherit' });
}, 240_000);

describe('tipar start', () => {
  for (const [name, env] of startEnvs(inject)) {
    it(`serves the demo keys it prints, and the management API, on ${name}`, { timeout: 60_000 }, async () => {
      const app = await startExample(main, env());
      try {
        expect(app.output).toContain(name);
        const post = (key: string) =>
          fetch(`${app.origin}/generate`, { method: 'POST', headers: { authorization: `Bearer ${key}` }, body: '{}' }).then((r) => r.status);
        const { workspace_a, workspace_b, revoked, quota_exhausted } = app.keys;
        expect(await Promise.all([workspace_a!, workspace_b!, revoked!, quota_exhausted!].map(post))).toEqual([200, 200, 401, 402]);
        expectDashboardBanner(app);
        await checkManagementFlow({ origin: app.origin, workspace: 'ws_acme', otherWorkspace: 'ws_globex', product: post });
      } finally {
        await app.stop();
      }
    });
  }
});
