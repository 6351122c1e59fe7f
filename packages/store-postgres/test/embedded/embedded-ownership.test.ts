// One process owns a data directory: while a child process holds it, this process and a second
// child get a clear DataDirInUseError naming the owner, and nothing is damaged; once the owner is
// killed (SIGKILL: its lock file stays behind), the directory opens again with its data.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createKeyward } from '@keyward/core';
import { DataDirInUseError, embeddedStore } from '@keyward/store-postgres/embedded';
import { afterAll, expect, it } from 'vitest';
import { embeddedDir } from '@keyward/test-services';
import { runFixture, waitForLines } from './process.js';

const data = await embeddedDir('owner');
afterAll(() => data.remove());

it('refuses a second process while the first holds the directory, and opens once the owner is gone', { timeout: 90_000 }, async () => {
  const owner = runFixture('holder', [data.dir]);
  try {
    await waitForLines(owner, 1, 60_000);
    const key = owner.lines[0]!.replace(/^ready /, '');
    expect(JSON.parse(readFileSync(join(data.dir, 'keyward.lock'), 'utf8')).pid).toBe(owner.child.pid);

    // This process…
    const refused = await embeddedStore({ dir: data.dir }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(DataDirInUseError);
    expect((refused as DataDirInUseError).pid).toBe(owner.child.pid);
    expect((refused as Error).message).toContain(`in use by process ${owner.child.pid}`);
    // …and another one.
    const second = runFixture('holder', [data.dir, 'try']);
    await waitForLines(second, 1, 60_000);
    expect(second.lines[0]).toMatch(new RegExp(`^in use by ${owner.child.pid}: `));

    owner.child.kill('SIGKILL');
    await owner.exited;
    const store = await embeddedStore({ dir: data.dir });
    try {
      expect((await createKeyward({ store }).verify({ authorization: `Bearer ${key}` })).ok).toBe(true);
      expect(JSON.parse(readFileSync(join(data.dir, 'keyward.lock'), 'utf8')).pid).toBe(process.pid);
    } finally {
      await store.close();
    }
    // Closed: the lock is given back.
    expect(() => readFileSync(join(data.dir, 'keyward.lock'))).toThrow(/ENOENT/);
  } finally {
    owner.child.kill('SIGKILL');
  }
});
