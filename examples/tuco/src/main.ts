// `pnpm --filter @keyward/example-tuco start`: Tuco on PORT (default 3004).
import { announce, closeOnSignal, DASHBOARD_BASE_PATH, metricsFromEnv, serveFetch, storeFromEnv } from '@keyward/example-support';
import { createTucoApp, seedDemo, tucoKeyward } from './app.js';

const port = Number(process.env.PORT ?? 3004);
const { store, invalidation, close, description } = await storeFromEnv('tuco');
const metrics = await metricsFromEnv('tuco');
const keyward = tucoKeyward({ store, invalidation, instrument: metrics.instrument });
const demo = await seedDemo(keyward);
const server = serveFetch(createTucoApp(keyward, demo.data)).listen(port, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));

const origin = `http://127.0.0.1:${port}`;
const jar = '/tmp/tuco-demo.cookies';
announce(
  `Tuco (fetch helper + Keyward, ${description}) on ${origin}/api/v1`,
  demo.keys,
  [
    `curl -s ${origin}/api/v1/projects -H 'Authorization: Bearer ${demo.keys.workspace_a}'`,
    `curl -s ${origin}/api/v1/projects -H 'Authorization: Bearer ${demo.keys.revoked}'   # 401 Problem Details`,
    `curl -s -c ${jar} '${origin}/demo/sign-in?as=admin' && curl -s -b ${jar} ${origin}${DASHBOARD_BASE_PATH}/api/workspaces/ws_acme/keys   # an admin's view of the keys`,
    `curl -s -c ${jar} '${origin}/demo/sign-in?as=member' && curl -s -b ${jar} ${origin}${DASHBOARD_BASE_PATH}/api/workspaces/ws_acme/keys   # a member: 403`,
  ],
  { origin, sessions: demo.data.sessions },
);
closeOnSignal(async () => {
  await new Promise((resolve) => server.close(resolve));
  await keyward.close();
  await close();
  await metrics.close();
});
