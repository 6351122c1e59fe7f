import { defineConfig } from 'tsup';

export default defineConfig({
  entry: { index: 'src/index.ts', 'embedded/index': 'src/embedded/index.ts' },
  format: ['esm', 'cjs'],
  dts: true,
  clean: true,
  sourcemap: true,
  target: 'es2022',
  platform: 'node',
  external: ['@keyward/core', 'pg', '@electric-sql/pglite'],
});
