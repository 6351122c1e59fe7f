import { defaultServerConditions } from 'vite';
import { configDefaults, defineConfig } from 'vitest/config';

// Tests run on the TypeScript sources of the workspace packages (the `@keyward/source` export
// condition), so no build is needed before `pnpm test`.
//
// Two projects: `unit` needs no server and runs in seconds (`pnpm test:unit`); `integration` gets
// throwaway PostgreSQL, Redis and Redis Cluster servers from the global setup (or DATABASE_URL,
// REDIS_URL, REDIS_CLUSTER_NODES). `pnpm test` runs both. Both build the dashboard's standalone page
// first (test/page-setup.ts); the browser tests (*.browser.test.ts) find or install Chromium
// themselves (@keyward/test-services).
const unit = [
  'packages/core/src/**/*.test.ts',
  'packages/core/test/**/*.test.ts',
  'packages/store-memory/test/**/*.test.ts',
  'packages/express/test/**/*.test.ts',
  'packages/koa/test/**/*.test.ts',
  'packages/fastify/test/**/*.test.ts',
  'packages/secret-scanning/test/handler.test.ts',
  'packages/secret-scanning/test/signature.test.ts',
  'packages/secret-scanning/test/mounts.test.ts',
  'packages/secret-scanning/test/portable.test.ts',
  'packages/dashboard/test/*.memory.test.ts',
  'packages/dashboard/test/unit/**/*.test.ts',
  'packages/otel/test/memory.test.ts',
];

// Without `module`: a bundler's condition, which some packages (OpenTelemetry's) answer with an ESM
// build of extensionless imports that Node, which loads the dependencies here, cannot run.
const conditions = ['@keyward/source', ...defaultServerConditions.filter((c) => c !== 'module')];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    testTimeout: 20_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: unit, globalSetup: ['./test/page-setup.ts'] } },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, ...unit],
          globalSetup: ['./test/global-setup.ts', './test/page-setup.ts'],
        },
      },
    ],
  },
});
