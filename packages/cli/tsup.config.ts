import { defineConfig } from 'tsup';

export default defineConfig([
  {
    entry: { index: 'src/index.ts' },
    format: ['esm', 'cjs'],
    dts: true,
    clean: true,
    sourcemap: true,
    target: 'es2022',
    platform: 'node',
    external: ['@keyward/core', '@keyward/store-postgres', '@keyward/store-redis', 'pg', 'ioredis'],
  },
  {
    entry: { bin: 'src/bin.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'es2022',
    platform: 'node',
    banner: { js: '#!/usr/bin/env node' },
    external: ['@keyward/core', '@keyward/store-postgres', '@keyward/store-redis', 'pg', 'ioredis'],
  },
]);
