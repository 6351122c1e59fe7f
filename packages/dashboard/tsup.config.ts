import { copyFile, mkdir } from 'node:fs/promises';
import { defineConfig } from 'tsup';

const common = {
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'neutral',
} as const;

// `build` runs scripts/build-page.mjs first: src/page/bundle.generated.js (the standalone page,
// on Preact) must exist before the handler is bundled, since the handler serves it.
export default defineConfig([
  {
    ...common,
    entry: { index: 'src/index.ts', 'testing/index': 'src/testing/index.ts' },
    clean: true,
    external: ['@keyward/core', 'vitest'],
  },
  {
    ...common,
    // The components, against the app's own React (a peer dependency). Next.js App Router needs
    // the directive to treat them as client components.
    entry: { 'react/index': 'src/react/index.ts' },
    external: ['@keyward/core', 'react', 'react-dom'],
    esbuildOptions(options) {
      options.jsx = 'automatic';
    },
    banner: { js: "'use client';" },
    async onSuccess() {
      await mkdir('dist/react', { recursive: true });
      await copyFile('src/react/styles.css', 'dist/react/styles.css');
    },
  },
]);
