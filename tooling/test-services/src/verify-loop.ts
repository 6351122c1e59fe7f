// Child process of the revocation-propagation tests: builds an engine from the module named in
// KEYWARD_ENGINE_MODULE (which exports `createEngine(): Promise<Keyward>`), verifies the key in
// KEYWARD_TEST_KEY every 2 ms, says when it first passes and when it is first refused (as a key:
// a store failure is reported as "error", never as "refused"), then exits.
// Bounded: it gives up after KEYWARD_LOOP_MS (default 30 s). Never prints the key.
import { pathToFileURL } from 'node:url';
import type { Keyward } from '@keyward/core';

const modulePath = process.env.KEYWARD_ENGINE_MODULE;
const key = process.env.KEYWARD_TEST_KEY;
if (!modulePath || !key) throw new Error('KEYWARD_ENGINE_MODULE and KEYWARD_TEST_KEY must be set');
const { createEngine } = (await import(pathToFileURL(modulePath).href)) as { createEngine: () => Promise<Keyward> };
const keyward = await createEngine();
await keyward.ready();

const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);
const deadline = Date.now() + Number(process.env.KEYWARD_LOOP_MS ?? 30_000);
let passed = false;
let verifies = 0;
let errors = 0;
while (Date.now() < deadline) {
  const result = await keyward.verify({ authorization: `Bearer ${key}` });
  verifies++;
  if (result.ok) {
    if (!passed) say({ event: 'ok', at: Date.now() });
    passed = true;
  } else if (result.error.code === 'store_unavailable') {
    if (errors++ < 5) say({ event: 'error', at: Date.now(), code: result.error.code });
  } else if (passed) {
    say({ event: 'refused', at: Date.now(), code: result.error.code, verifies });
    break;
  }
  await new Promise((resolve) => setTimeout(resolve, 2));
}
say({ event: 'done', verifies });
await keyward.close();
process.exit(0);
