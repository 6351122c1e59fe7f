// Child process of the revocation-propagation benchmark. Argument: the store kind; env STORE_URL.
// Reads one JSON line per key on stdin (`{"n":1,"key":"…"}`), verifies that key every millisecond
// through its own engine (its own cache and invalidation subscription), and prints
// `{"n":1,"event":"ok"}` when it first passes and `{"n":1,"event":"refused","at":<epoch ms>}` when it
// is first refused. Bounded: gives up on a key after 10 s and exits when stdin closes.
import { createInterface } from 'node:readline';
import { engineFor, type StoreKind } from './engines.js';

const engine = await engineFor(process.argv[2] as StoreKind, process.env.STORE_URL!);
const { keyward } = engine;
await keyward.ready();
const say = (event: Record<string, unknown>) => process.stdout.write(`${JSON.stringify(event)}\n`);
say({ event: 'ready' });

for await (const line of createInterface({ input: process.stdin })) {
  const { n, key } = JSON.parse(line) as { n: number; key: string };
  const headers = { authorization: `Bearer ${key}` };
  const deadline = Date.now() + 10_000;
  let passed = false;
  while (Date.now() < deadline) {
    const result = await keyward.verify(headers);
    if (result.ok && !passed) {
      passed = true;
      say({ n, event: 'ok' });
    } else if (!result.ok && passed) {
      say({ n, event: 'refused', at: Date.now() });
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  if (Date.now() >= deadline) say({ n, event: 'timeout' });
}
await engine.close();
