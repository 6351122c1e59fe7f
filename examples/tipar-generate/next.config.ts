import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');

// The app runs on the TypeScript sources of the workspace packages, like the other tests: the
// `@keyward/source` export condition, and `.js` specifiers that name `.ts` files. Turbopack has
// neither custom conditions nor that extension mapping, so the app is built with webpack
// (`next build --webpack`); what runs is the same Next.js server.
const config: NextConfig = {
  outputFileTracingRoot: root,
  poweredByHeader: false,
  experimental: { externalDir: true },
  webpack(config: { resolve: { conditionNames?: string[]; extensionAlias?: Record<string, string[]> } }) {
    config.resolve.conditionNames = ['@keyward/source', '...'];
    config.resolve.extensionAlias = { '.js': ['.ts', '.js'] };
    return config;
  },
};

export default config;
