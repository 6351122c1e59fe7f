// `pnpm --filter @keyward/example-tixallo-tickets start`: Tixallo on PORT (default 3002).
import { announce, closeOnSignal, DASHBOARD_BASE_PATH, metricsFromEnv, storeFromEnv } from '@keyward/example-support';
import { createTixalloApp, seedDemo, tixalloKeyward } from './app.js';

const port = Number(process.env.PORT ?? 3002);
const { store, invalidation, close, description } = await storeFromEnv('tixallo');
const metrics = await metricsFromEnv('tixallo-tickets');
const keyward = tixalloKeyward({ store, invalidation, instrument: metrics.instrument });
const demo = await seedDemo(keyward);
const server = createTixalloApp(keyward, demo.data).listen(port, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));

const origin = `http://127.0.0.1:${port}`;
const jar = '/tmp/tixallo-demo.cookies';
announce(
  `Tixallo (Koa + Keyward, ${description}) on ${origin}/api/v1`,
  demo.keys,
  [
    `curl -s ${origin}/api/v1/tickets -H 'Authorization: Bearer ${demo.keys.workspace_a}'`,
    `curl -s ${origin}/api/v1/tickets -H 'Authorization: Bearer ${demo.keys.revoked}'   # 401 {"error":"Unauthorized"}`,
    `curl -s -c ${jar} '${origin}/demo/sign-in?as=admin' && curl -s -b ${jar} ${origin}${DASHBOARD_BASE_PATH}/api/workspaces/ws_acme/keys   # the app's key list (demo sign-in)`,
    `curl -s -b ${jar} ${origin}${DASHBOARD_BASE_PATH}/api/workspaces/ws_acme/keys -H 'content-type: application/json' -d '{"name":"ci"}'   # create a key: shown once`,
  ],
  { origin, sessions: demo.data.sessions },
);
closeOnSignal(async () => {
  await new Promise((resolve) => server.close(resolve));
  await keyward.close();
  await close();
  await metrics.close();
});
