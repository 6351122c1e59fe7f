import type { Keyward } from '@keyward/core';
import type { StrictLogger } from '@keyward/core/testing';

/** The notices an outage must make, in the order an operator reads them. */
export const OUTAGE_NOTICES = [
  'keyward.invalidation.lost',
  'keyward.store.unavailable',
  'keyward.invalidation.resubscribed',
  'keyward.store.recovered',
] as const;

async function until(what: string, timeoutMs: number, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/**
 * A real outage under an engine whose store and invalidation bus live on one server: stops the
 * server, checks that a verify fails closed (503), starts it again, and waits until the bus listens
 * and the store answers. Returns the lines `logger` received meanwhile, which hold every one of
 * {@link OUTAGE_NOTICES}.
 *
 * @throws when a step does not happen within its time, a verify passes while the server is down, or
 * a notice is missing.
 */
export async function runOutage(options: {
  engine: Keyward;
  /** A key the engine verifies (created before, in the store on the server). */
  key: string;
  logger: StrictLogger;
  stopServer(): Promise<void>;
  startServer(): Promise<void>;
}): Promise<StrictLogger['lines']> {
  const { engine, logger } = options;
  const headers = { authorization: `Bearer ${options.key}` };
  const before = logger.lines.length;
  const events = () => logger.lines.slice(before).map((l) => l.fields.event);
  await options.stopServer();
  await until('the bus to notice', 5000, () => events().includes('keyward.invalidation.lost'));
  // The cache is bypassed once the bus is lost: the verify reads the store, which is down.
  const down = await engine.verify(headers);
  if (down.ok || down.error.code !== 'store_unavailable')
    throw new Error(`a verify answered ${down.ok ? 'ok' : down.error.code} while the server was down`);
  await options.startServer();
  await until('the bus to listen again', 10_000, () => events().includes('keyward.invalidation.resubscribed'));
  // A server without persistence comes back empty: answering at all is the recovery.
  await until('the store to answer', 10_000, async () => {
    const result = await engine.verify(headers);
    return result.ok || result.error.code !== 'store_unavailable';
  });
  const missing = OUTAGE_NOTICES.filter((event) => !events().includes(event));
  if (missing.length > 0) throw new Error(`the outage made no ${missing.join(', ')} notice`);
  return logger.lines.slice(before);
}
