// `pnpm --filter @keyward/example-tuco start` on PostgreSQL and on Redis.
import { fileURLToPath } from 'node:url';
import { startEnvs, startExample } from '@keyward/example-support/testing';
import { describe, expect, inject, it } from 'vitest';

const main = fileURLToPath(new URL('../src/main.ts', import.meta.url));

describe('tuco start', () => {
  for (const [name, env] of startEnvs(inject)) {
    it(`serves the demo keys it prints, on ${name}`, { timeout: 60_000 }, async () => {
      const app = await startExample(main, env());
      try {
        expect(app.output).toContain(name);
        const { workspace_a, workspace_a_staging, workspace_b, revoked } = app.keys;
        const get = (key: string) => fetch(`${app.origin}/api/v1/projects`, { headers: { authorization: `Bearer ${key}` } }).then((r) => r.status);
        expect(await Promise.all([workspace_a!, workspace_a_staging!, workspace_b!, revoked!].map(get))).toEqual([200, 200, 200, 401]);
      } finally {
        await app.stop();
      }
    });
  }
});
