// Child process of the counter race: builds the engine of KEYWARD_ENGINE_MODULE, waits until
// KEYWARD_START_AT (epoch ms, so that both processes fire together), sends KEYWARD_REQUESTS
// verifies of KEYWARD_TEST_KEY at once, and prints one JSON line: how many passed, and the codes.
import { pathToFileURL } from 'node:url';
import type { Keyward } from '@keyward/core';

const { createEngine } = (await import(pathToFileURL(process.env.KEYWARD_ENGINE_MODULE!).href)) as { createEngine(): Promise<Keyward> };
const keyward = await createEngine();
await keyward.ready();
const key = process.env.KEYWARD_TEST_KEY!;
const requests = Math.min(200, Number(process.env.KEYWARD_REQUESTS ?? 25));
// Warm the connections first, with a dry run that consumes nothing.
await keyward.verify({ authorization: `Bearer ${key}` }, { dryRun: true });
const wait = Number(process.env.KEYWARD_START_AT) - Date.now();
if (wait > 0) await new Promise((resolve) => setTimeout(resolve, Math.min(wait, 10_000)));
const results = await Promise.all(Array.from({ length: requests }, () => keyward.verify({ authorization: `Bearer ${key}` })));
const codes: Record<string, number> = {};
for (const r of results) codes[r.ok ? 'ok' : r.error.code] = (codes[r.ok ? 'ok' : r.error.code] ?? 0) + 1;
process.stdout.write(`${JSON.stringify({ admitted: codes.ok ?? 0, codes })}\n`);
await keyward.close();
process.exit(0);
