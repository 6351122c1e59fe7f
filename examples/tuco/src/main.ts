// `pnpm --filter @keyward/example-tuco start`: Tuco on PORT (default 3004).
import { announce, closeOnSignal, serveFetch, storeFromEnv } from '@keyward/example-support';
import { createTucoApp, seedDemo, tucoKeyward } from './app.js';

const port = Number(process.env.PORT ?? 3004);
const { store, invalidation, close, description } = await storeFromEnv('tuco');
const keyward = tucoKeyward({ store, invalidation });
const demo = await seedDemo(keyward);
const server = serveFetch(createTucoApp(keyward, demo.data)).listen(port, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));

const origin = `http://127.0.0.1:${port}`;
announce(`Tuco (fetch helper + Keyward, ${description}) on ${origin}/api/v1`, demo.keys, [
  `curl -s ${origin}/api/v1/projects -H 'Authorization: Bearer ${demo.keys.workspace_a}'`,
  `curl -s ${origin}/api/v1/projects -H 'Authorization: Bearer ${demo.keys.revoked}'   # 401 Problem Details`,
  `curl -s ${origin}/settings/api-keys -H 'X-Tuco-Session: ${demo.sessions.admin}'   # an admin's view of the keys`,
  `curl -s ${origin}/settings/api-keys -H 'X-Tuco-Session: ${demo.sessions.member}'   # a member: 403`,
]);
closeOnSignal(async () => {
  await new Promise((resolve) => server.close(resolve));
  await keyward.close();
  await close();
});
