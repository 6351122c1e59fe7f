// `pnpm --filter @keyward/example-tooken start`: Tooken on PORT (default 3005), with two demo
// workspaces. Memory store by default; PostgreSQL or Redis when DATABASE_URL / REDIS_URL is set.
import { announce, closeOnSignal, DASHBOARD_BASE_PATH, metricsFromEnv, storeFromEnv } from '@keyward/example-support';
import { createTookenApp, tookenKeyward } from './app.js';
import { demoPeople, seedDemo } from './demo.js';

const port = Number(process.env.PORT ?? 3005);
const { store, invalidation, close, description } = await storeFromEnv('tooken');
const metrics = await metricsFromEnv('tooken');
const keyward = tookenKeyward({ store, invalidation, instrument: metrics.instrument });
const keys = await seedDemo(keyward);
const sessions = demoPeople();
const app = await createTookenApp(keyward, sessions);
await app.listen({ port, host: '127.0.0.1' });

const origin = `http://127.0.0.1:${port}`;
const base = `${origin}/v1`;
const settings = `${origin}${DASHBOARD_BASE_PATH}/api/workspaces/ws_acme`;
const jar = '/tmp/tooken-demo.cookies';
announce(
  `Tooken (Fastify + Keyward, ${description}) on ${base}`,
  keys,
  [
    `curl -s ${base}/tokens -H 'Authorization: Bearer ${keys.workspace_a}'`,
    `curl -s -X POST ${base}/tokens -H 'Authorization: Bearer ${keys.token_read_only}' -H 'content-type: application/json' -d '{"name":"x","scopes":["tokens:read"]}'   # 403`,
    `curl -s ${base}/tokens -H 'Authorization: Bearer ${keys.revoked}'   # 401`,
    `curl -s ${base}/audit-log -H 'Authorization: Bearer ${keys.workspace_a}'`,
    `curl -s -c ${jar} '${origin}/demo/sign-in?as=admin' && curl -s -b ${jar} ${settings}/keys   # Settings → API Keys (demo sign-in)`,
    `curl -s -b ${jar} ${settings}/keys -H 'content-type: application/json' -d '{"name":"CI","scopes":["*"]}'   # a new API key, shown once`,
    `curl -s -b ${jar} ${settings}/audit   # Settings → Audit Log`,
  ],
  { origin, sessions },
);
closeOnSignal(async () => {
  await app.close();
  await keyward.close();
  await close();
  await metrics.close();
});
