// `pnpm --filter @keyward/example-tooken start`: Tooken on PORT (default 3005), with two demo
// workspaces. Memory store by default; PostgreSQL or Redis when DATABASE_URL / REDIS_URL is set.
import { writeFileSync } from 'node:fs';
import { createTookenApp, tookenKeyward } from './app.js';
import { seedDemo } from './demo.js';
import { storeFromEnv } from './store.js';

const port = Number(process.env.PORT ?? 3005);
const { store, invalidation, close, description } = await storeFromEnv();
const keyward = tookenKeyward({ store, invalidation });
const keys = await seedDemo(keyward);
const app = await createTookenApp(keyward);
await app.listen({ port, host: '127.0.0.1' });

const base = `http://127.0.0.1:${port}/v1`;
// The demo keys are printed on purpose: they exist only in this demo's store.
console.log(`Tooken (Fastify + Keyward, ${description}) on ${base}\n`);
for (const [label, key] of Object.entries(keys)) console.log(`  ${label.padEnd(18)} ${key}`);
console.log(`\nTry:\n  curl -s ${base}/tokens -H 'Authorization: Bearer ${keys.workspace_a}'`);
console.log(`  curl -s -X POST ${base}/tokens -H 'Authorization: Bearer ${keys.token_read_only}' -H 'content-type: application/json' -d '{"name":"x","scopes":["tokens:read"]}'   # 403`);
console.log(`  curl -s ${base}/tokens -H 'Authorization: Bearer ${keys.revoked}'   # 401`);
if (process.env.DEMO_KEYS_FILE) writeFileSync(process.env.DEMO_KEYS_FILE, `${JSON.stringify(keys, null, 2)}\n`, { mode: 0o600 });

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    void app.close().then(close).finally(() => process.exit(0));
  });
}
