// `pnpm --filter @keyward/example-tiro-notes start`: Tiro on PORT (default 3001). LEGACY_SUNSET
// moves the sunset of legacy personal keys (default 2026-06-30, already past: they get 401).
import { announce, closeOnSignal, DASHBOARD_BASE_PATH, metricsFromEnv, storeFromEnv } from '@keyward/example-support';
import { createTiroApp, demoData, seedDemo, tiroKeyward } from './app.js';

const port = Number(process.env.PORT ?? 3001);
const { store, invalidation, close, description } = await storeFromEnv('tiro');
const data = demoData();
const metrics = await metricsFromEnv('tiro-notes');
const keyward = tiroKeyward({ store, invalidation, data, legacySunset: process.env.LEGACY_SUNSET, instrument: metrics.instrument });
const demo = await seedDemo(keyward);
const server = createTiroApp(keyward, data).listen(port, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));

const origin = `http://127.0.0.1:${port}`;
const base = `${origin}/v1/external`;
const jar = '/tmp/tiro-demo.cookies';
announce(
  `Tiro (Express + Keyward, ${description}) on ${base}`,
  demo.keys,
  [
    `curl -s ${base}/notes -H 'Authorization: Bearer ${demo.keys.workspace_a}'`,
    `curl -s ${base}/notes -H 'Authorization: Bearer ${demo.keys.workspace_a.split('.')[0]}'   # the common mistake: only the key id`,
    `curl -si ${base}/notes -H 'Authorization: Bearer ${demo.keys.legacy}'   # legacy personal key: 401 after the sunset`,
    `curl -s -c ${jar} '${origin}/demo/sign-in?as=admin' && curl -s -b ${jar} ${origin}${DASHBOARD_BASE_PATH}/api/legacy-keys   # Ada's legacy keys, with their sunset`,
    `curl -s -b ${jar} ${origin}${DASHBOARD_BASE_PATH}/api/workspaces/ws_research/keys -H 'content-type: application/json' -d '{"name":"notes sync 2"}'   # Create New API Key`,
  ],
  { origin, sessions: data.sessions },
);
closeOnSignal(async () => {
  await new Promise((resolve) => server.close(resolve));
  await keyward.close();
  await close();
  await metrics.close();
});
