// `pnpm --filter @keyward/example-tiro-notes start`: Tiro on PORT (default 3001). LEGACY_SUNSET
// moves the sunset of legacy personal keys (default 2026-06-30, already past: they get 401).
import { announce, closeOnSignal, storeFromEnv } from '@keyward/example-support';
import { createTiroApp, seedDemo, tiroKeyward, type TiroData } from './app.js';

const port = Number(process.env.PORT ?? 3001);
const { store, invalidation, close, description } = await storeFromEnv('tiro');
const data: TiroData = { accounts: new Map(), sessions: new Map(), workspaces: new Map() };
const keyward = tiroKeyward({ store, invalidation, data, legacySunset: process.env.LEGACY_SUNSET });
const demo = await seedDemo(keyward);
Object.assign(data, demo.data);
const server = createTiroApp(keyward, data).listen(port, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));

const base = `http://127.0.0.1:${port}/v1/external`;
announce(`Tiro (Express + Keyward, ${description}) on ${base}`, demo.keys, [
  `curl -s ${base}/notes -H 'Authorization: Bearer ${demo.keys.workspace_a}'`,
  `curl -s ${base}/notes -H 'Authorization: Bearer ${demo.keys.workspace_a.split('.')[0]}'   # the common mistake: only the key id`,
  `curl -si ${base}/notes -H 'Authorization: Bearer ${demo.keys.legacy}'   # legacy personal key: 401 after the sunset`,
  `curl -s http://127.0.0.1:${port}/dashboard/legacy-keys -H 'X-Tiro-Session: ${demo.sessions.ada}'`,
]);
closeOnSignal(async () => {
  await new Promise((resolve) => server.close(resolve));
  await keyward.close();
  await close();
});
