import type { PostgresStoreOptions } from '@keyward/store-postgres';
import type { EmbeddedInvalidationBus, EmbeddedStore } from '@keyward/store-postgres/embedded';

/**
 * Opens `embedded:DIR` (a relative DIR is relative to the working directory). The embedded store's
 * module, and so PGlite, is loaded only for such a URL: the CLI works against a server without it.
 */
export async function openEmbedded(
  url: string,
  options: PostgresStoreOptions,
  channel?: string,
): Promise<{ store: EmbeddedStore; invalidation: EmbeddedInvalidationBus }> {
  const { embeddedInvalidation, embeddedStore } = await import('@keyward/store-postgres/embedded');
  const store = await embeddedStore({ dir: url.slice('embedded:'.length), ...options });
  try {
    return { store, invalidation: embeddedInvalidation(store, { channel }) };
  } catch (error) {
    await store.close();
    throw error;
  }
}
