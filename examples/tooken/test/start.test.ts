// `pnpm --filter @keyward/example-tooken start` on PostgreSQL and on Redis: the process starts,
// writes its demo keys to DEMO_KEYS_FILE, and serves them over HTTP; the key-management flow through the
// sign-in links it prints.
import { fileURLToPath } from 'node:url';
import { checkManagementFlow, expectDashboardBanner, startEnvs, startExample } from '@keyward/example-support/testing';
import { describe, expect, inject, it } from 'vitest';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

describe('tooken start', () => {
  for (const [name, env] of startEnvs(inject)) {
    it(`serves the demo keys it prints, and the management API, on ${name}`, { timeout: 60_000 }, async () => {
      const app = await startExample(main, env());
      try {
        expect(app.output).toContain(name);
        expect(Object.keys(app.keys).sort()).toEqual(['expired', 'revoked', 'token_read_only', 'token_read_write', 'workspace_a', 'workspace_b']);
        const get = (key: string) => fetch(`${app.origin}/v1/tokens`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
        expect(await Promise.all([app.keys.workspace_a!, app.keys.token_read_only!, app.keys.revoked!, app.keys.expired!].map(get))).toEqual([
          200, 200, 401, 401,
        ]);
        expectDashboardBanner(app);
        await checkManagementFlow({ origin: app.origin, workspace: 'ws_acme', otherWorkspace: 'ws_globex', product: get, create: { scopes: ['*'] } });
      } finally {
        await app.stop();
      }
    });
  }
});
