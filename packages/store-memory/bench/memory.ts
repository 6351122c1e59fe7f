/**
 * Memory: (a) heap per entry of the engine's verify cache, (b) heap and resident size of a process
 * whose memory store holds 1,000,000 keys (BENCH_MEMORY_KEYS to change it).
 *
 * Each measurement runs in a fresh child process started with --expose-gc, so that one does not
 * disturb the other; figures are differences against the same process before the keys exist.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createKeyward, prefixedFormat } from '@keyward/core';
import { memoryStore } from '@keyward/store-memory';

const STORE_KEYS = Number(process.env.BENCH_MEMORY_KEYS ?? 1_000_000);
const CACHE_KEYS = 50_000;

function settle(): NodeJS.MemoryUsage {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc');
  for (let i = 0; i < 4; i++) gc();
  return process.memoryUsage();
}

/** Heap per verify-cache entry: verify CACHE_KEYS distinct keys through a cache that holds them all. */
async function cacheChild() {
  const store = memoryStore();
  const format = prefixedFormat({ prefix: 'bench' });
  const filler = createKeyward({ store, format });
  const keys: string[] = [];
  for (let i = 0; i < CACHE_KEYS; i++) keys.push((await filler.create({ workspaceId: `ws_${i % 100}`, name: `k${i}` })).key);
  // The cache is forced on (a memory store needs none) and big enough for every key.
  const keyward = createKeyward({ store, format, cache: { maxEntries: CACHE_KEYS * 2, ttl: 600_000 } });
  await keyward.ready();
  const before = settle();
  for (const key of keys) if (!(await keyward.verify({ authorization: `Bearer ${key}` })).ok) throw new Error('bench key refused');
  const after = settle();
  const perEntry = (after.heapUsed - before.heapUsed) / CACHE_KEYS;
  // Used after the measurement, so that the collector may not free them before it.
  if (!(await keyward.verify({ authorization: `Bearer ${keys[0]}` })).ok) throw new Error('bench key refused');
  return { name: 'memory.verify-cache-entry', unit: 'bytes', entries: CACHE_KEYS, heapPerEntry: Math.round(perEntry) };
}

/** Heap and RSS of STORE_KEYS keys in the memory store (imported with their hashes, as a migration would). */
async function storeChild() {
  const keyward = createKeyward({ store: memoryStore(), format: prefixedFormat({ prefix: 'bench' }) });
  const before = settle();
  for (let i = 0; i < STORE_KEYS; i++) {
    await keyward.import({ hash: createHash('sha256').update(`k${i}`).digest('hex'), name: `key ${i}`, hint: 'abcd', workspaceId: `ws_${i % 1000}` });
  }
  const after = settle();
  // Used after the measurement, so that the collector may not free the store before it.
  if ((await keyward.list({ workspaceId: 'ws_0', limit: 1 })).items.length !== 1) throw new Error('store lost its keys');
  return {
    name: 'memory.store-1m-keys',
    unit: 'bytes',
    keys: STORE_KEYS,
    rss: after.rss,
    rssGrowth: after.rss - before.rss,
    heapPerKey: Math.round((after.heapUsed - before.heapUsed) / STORE_KEYS),
  };
}

const mb = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;

if (import.meta.url === `file://${process.argv[1]}`) {
  const role = process.argv[2];
  if (role === 'cache') console.log(JSON.stringify(await cacheChild()));
  else if (role === 'store') console.log(JSON.stringify(await storeChild()));
  else {
    for (const child of ['cache', 'store']) {
      const run = spawnSync(
        process.execPath,
        ['--expose-gc', '--max-old-space-size=8192', ...process.execArgv, fileURLToPath(import.meta.url), child],
        {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
          timeout: 10 * 60_000,
        },
      );
      if (run.status !== 0) throw new Error(`memory bench (${child}) exited with ${run.status ?? run.signal}`);
      const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
      if (child === 'cache') console.log(`verify cache: ${result.heapPerEntry} bytes of heap per cached key (${result.entries} keys)`);
      else
        console.log(
          `memory store with ${result.keys.toLocaleString('en')} keys: RSS ${mb(result.rss)} (+${mb(result.rssGrowth)}), ${result.heapPerKey} bytes of heap per key`,
        );
      console.log(JSON.stringify(result));
    }
  }
}
