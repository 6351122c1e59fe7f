import type { PostgresStoreOptions } from '@keyward/store-postgres';
import type { EmbeddedStore } from '@keyward/store-postgres/embedded';

/**
 * Opens `embedded:DIR` (a relative DIR is relative to the working directory). The embedded store's
 * module, and so PGlite, is loaded only for such a URL: the CLI works against a server without it.
 */
export async function openEmbedded(url: string, options: PostgresStoreOptions): Promise<EmbeddedStore> {
  const dir = url.slice('embedded:'.length);
  if (dir === '') throw new TypeError('embedded:DIR needs the data directory, e.g. embedded:.keyward');
  const { embeddedStore } = await import('@keyward/store-postgres/embedded');
  return embeddedStore({ dir, ...options });
}
