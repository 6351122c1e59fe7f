// Child process of the revocation-propagation tests: builds an engine from the module named in
// KEYWARD_ENGINE_MODULE (which exports `createEngine(): Promise<Keyward>`), verifies the key in
// KEYWARD_TEST_KEY every 2 ms, says when it first passes and when it is first refused, then exits.
// Bounded: it gives up after KEYWARD_LOOP_MS (default 30 s).
import { pathToFileURL } from 'node:url';
import type { Keyward } from '../../packages/core/src/index.js';

const modulePath = process.env.KEYWARD_ENGINE_MODULE;
const key = process.env.KEYWARD_TEST_KEY;
if (!modulePath || !key) throw new Error('KEYWARD_ENGINE_MODULE and KEYWARD_TEST_KEY must be set');
const { createEngine } = (await import(pathToFileURL(modulePath).href)) as { createEngine: () => Promise<Keyward> };
const keyward = await createEngine();
await keyward.ready();

const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);
const deadline = Date.now() + Number(process.env.KEYWARD_LOOP_MS ?? 30_000);
let passed = false;
while (Date.now() < deadline) {
  const result = await keyward.verify({ authorization: `Bearer ${key}` });
  if (result.ok && !passed) {
    passed = true;
    say({ event: 'ok' });
  } else if (!result.ok && passed) {
    say({ event: 'refused', at: Date.now(), code: result.error.code });
    break;
  } else if (!result.ok && result.error.code === 'store_unavailable') {
    say({ event: 'error', code: result.error.code });
  }
  await new Promise((resolve) => setTimeout(resolve, 2));
}
await keyward.close();
process.exit(0);
