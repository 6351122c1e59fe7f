// `kill -9` in the middle of writing loses nothing that was acknowledged: a child process creates
// keys and prints each one once `create` resolved; it is killed with SIGKILL mid-stream, three
// times on the same directory (the first start creates the database for real), and after each
// kill every printed key is there and verifies.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createKeyward, idSecretFormat, prefixedFormat } from '@keyward/core';
import { embeddedStore } from '@keyward/store-postgres/embedded';
import { afterAll, expect, it } from 'vitest';
import { runFixture, waitForLines } from './process.js';

const dir = mkdtempSync(join(tmpdir(), 'keyward-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('keeps every acknowledged key across SIGKILL mid-write', { timeout: 120_000 }, async () => {
  const acknowledged: string[] = [];
  for (let round = 0; round < 3; round++) {
    const writer = runFixture('writer', [dir]);
    // 'ready', then some keys; killed at a moment that has nothing to do with a write's boundaries.
    await waitForLines(writer, 1 + 150 + round * 37, 90_000);
    writer.child.kill('SIGKILL');
    await writer.exited;
    expect(writer.child.signalCode).toBe('SIGKILL');
    const keys = writer.lines.slice(1).filter((line) => line.length > 0);
    acknowledged.push(...keys);

    const store = await embeddedStore({ dir });
    try {
      const keyward = createKeyward({ store, format: [prefixedFormat({ prefix: 'kw' }), idSecretFormat()], cache: false });
      const failed: string[] = [];
      for (const key of acknowledged) {
        const result = await keyward.verify({ authorization: `Bearer ${key}` });
        if (!result.ok) failed.push(`${acknowledged.indexOf(key)}: ${result.error.code}`);
      }
      expect({ round, failed }).toEqual({ round, failed: [] });
      // At most the one create in flight at the kill went further than its acknowledgement.
      const listed = await store.pool.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${store.tables.keys}`);
      expect(Number(listed.rows[0]!.n) - acknowledged.length).toBeGreaterThanOrEqual(0);
      expect(Number(listed.rows[0]!.n) - acknowledged.length).toBeLessThanOrEqual(round + 1);
    } finally {
      await store.close();
    }
  }
  expect(acknowledged.length).toBeGreaterThan(450);
});
