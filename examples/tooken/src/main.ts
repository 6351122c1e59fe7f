// `pnpm --filter @keyward/example-tooken start`: Tooken on PORT (default 3005), with two demo
// workspaces. Memory store by default; PostgreSQL or Redis when DATABASE_URL / REDIS_URL is set.
import { announce, closeOnSignal, storeFromEnv } from '@keyward/example-support';
import { createTookenApp, tookenKeyward } from './app.js';
import { seedDemo } from './demo.js';

const port = Number(process.env.PORT ?? 3005);
const { store, invalidation, close, description } = await storeFromEnv('tooken');
const keyward = tookenKeyward({ store, invalidation });
const keys = await seedDemo(keyward);
const app = await createTookenApp(keyward);
await app.listen({ port, host: '127.0.0.1' });

const base = `http://127.0.0.1:${port}/v1`;
announce(`Tooken (Fastify + Keyward, ${description}) on ${base}`, keys, [
  `curl -s ${base}/tokens -H 'Authorization: Bearer ${keys.workspace_a}'`,
  `curl -s -X POST ${base}/tokens -H 'Authorization: Bearer ${keys.token_read_only}' -H 'content-type: application/json' -d '{"name":"x","scopes":["tokens:read"]}'   # 403`,
  `curl -s ${base}/tokens -H 'Authorization: Bearer ${keys.revoked}'   # 401`,
  `curl -s ${base}/audit-log -H 'Authorization: Bearer ${keys.workspace_a}'`,
]);
closeOnSignal(async () => {
  await app.close();
  await keyward.close();
  await close();
});
