// `pnpm --filter @keyward/example-tixallo-tickets start`: Tixallo on PORT (default 3002).
import { announce, closeOnSignal, storeFromEnv } from '@keyward/example-support';
import { createTixalloApp, seedDemo, tixalloKeyward } from './app.js';

const port = Number(process.env.PORT ?? 3002);
const { store, invalidation, close, description } = await storeFromEnv('tixallo');
const keyward = tixalloKeyward({ store, invalidation });
const demo = await seedDemo(keyward);
const server = createTixalloApp(keyward, demo.data).listen(port, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));

const origin = `http://127.0.0.1:${port}`;
announce(`Tixallo (Koa + Keyward, ${description}) on ${origin}/api/v1`, demo.keys, [
  `curl -s ${origin}/api/v1/tickets -H 'Authorization: Bearer ${demo.keys.workspace_a}'`,
  `curl -s ${origin}/api/v1/tickets -H 'Authorization: Bearer ${demo.keys.revoked}'   # 401 {"error":"Unauthorized"}`,
  `curl -s ${origin}/app/keys -H 'X-Tixallo-Session: ${demo.sessions.workspace_a}'   # the app's key list (demo session)`,
]);
closeOnSignal(async () => {
  await new Promise((resolve) => server.close(resolve));
  await keyward.close();
  await close();
});
