import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

// Tests run on the TypeScript sources of the workspace packages (the `@keyward/source` export
// condition), so no build is needed before `pnpm test`.
export default defineConfig({
  resolve: { conditions: ['@keyward/source', ...defaultServerConditions] },
  ssr: { resolve: { conditions: ['@keyward/source', ...defaultServerConditions] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/*/test/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
    globalSetup: ['./test/global-setup.ts'],
  },
});
