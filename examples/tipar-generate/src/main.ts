// `pnpm --filter @keyward/example-tipar-generate start` (after its build): Tipar on PORT (default 3003).
import { announce, closeOnSignal, DASHBOARD_BASE_PATH, metricsFromEnv, storeFromEnv } from '@keyward/example-support';
import { startTipar } from './server.js';

(process.env as Record<string, string>).NODE_ENV = 'production';
const { store, invalidation, close, description } = await storeFromEnv('tipar');
const metrics = await metricsFromEnv('tipar-generate');
const tipar = await startTipar({ store, invalidation, port: Number(process.env.PORT ?? 3003), instrument: metrics.instrument });
const jar = '/tmp/tipar-demo.cookies';
announce(
  `Tipar (Next.js + Keyward, ${description}) on ${tipar.origin}/generate`,
  tipar.keys,
  [
    `curl -s ${tipar.origin}/generate -H 'Authorization: Bearer ${tipar.keys.workspace_a}' -H 'Content-Type: application/json' -d '{"title":"Invoice 42"}' --output out.pdf`,
    `curl -si -X POST ${tipar.origin}/generate -H 'Authorization: Bearer ${tipar.keys.revoked}'   # 401 Problem Details, WWW-Authenticate: Bearer`,
    `curl -si -X POST ${tipar.origin}/generate -H 'Authorization: Bearer ${tipar.keys.quota_exhausted}'   # 402: monthly quota reached`,
    `curl -s -c ${jar} '${tipar.origin}/demo/sign-in?as=admin' && curl -s -b ${jar} ${tipar.origin}${DASHBOARD_BASE_PATH}/api/workspaces/ws_acme/keys   # each key by name and …last4 (demo sign-in)`,
  ],
  { origin: tipar.origin, sessions: tipar.sessions },
);
closeOnSignal(async () => {
  await tipar.close();
  await close();
  await metrics.close();
});
