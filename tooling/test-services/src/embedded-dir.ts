// Data directories for the tests of the embedded store (@keyward/store-postgres/embedded). A fresh PGlite database takes seconds to
// create (initdb in WebAssembly); an empty one made once per machine and PGlite version is copied
// instead (≈ 50 ms). The first-start path itself is tested by the crash test, on a new directory.
import { PGlite } from '@electric-sql/pglite';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const version = (
  JSON.parse(readFileSync(join(dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json'), 'utf8')) as { version: string }
).version;
const template = join(tmpdir(), `keyward-pglite-${version}-template`);

async function ensureTemplate(): Promise<string> {
  const data = join(template, 'pgdata');
  if (existsSync(join(data, 'PG_VERSION'))) return data;
  const building = mkdtempSync(join(tmpdir(), 'keyward-pglite-building-'));
  try {
    const db = new PGlite(join(building, 'pgdata'));
    await db.waitReady;
    await db.close();
    try {
      // Atomic: another test file building the same template at the same time loses the race harmlessly.
      renameSync(building, template);
    } catch (error) {
      if (!existsSync(join(data, 'PG_VERSION'))) throw error;
    }
  } finally {
    rmSync(building, { recursive: true, force: true });
  }
  return data;
}

/** A new data directory holding an empty database, and how to delete it. */
export async function embeddedDir(label = 'embedded'): Promise<{ dir: string; remove(): void }> {
  const data = await ensureTemplate();
  const dir = mkdtempSync(join(tmpdir(), `keyward-${label}-`));
  cpSync(data, join(dir, 'pgdata'), { recursive: true });
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
