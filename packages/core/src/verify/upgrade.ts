import type { Engine } from '../engine/context.js';
import type { KeyPatch, StoredKey } from '../store/types.js';

/**
 * The hash upgrade of a key that passed with an older hasher (a SHA-256 hash imported from another
 * system, a rotated pepper): one update of one row in the background, the new digest replacing the
 * old in place (and in the hash index). Best effort: while it fails, the old hash keeps working and
 * the upgrade is tried again on the next use. One upgrade at a time per key.
 */
export function upgradeHash(engine: Engine, record: StoredKey, secret: string): void {
  if (engine.upgrading.has(record.id) || !engine.formatByName.has(record.format)) return;
  const current = engine.hashers[0]!;
  const patch: KeyPatch = { hash: current.hash(secret), hashVersion: current.version, updatedAt: new Date(engine.now()) };
  engine.upgrading.add(record.id);
  void Promise.resolve()
    .then(() => engine.store.update(record.id, patch))
    .then(
      () => {
        engine.probe?.hashUpgraded(record.id, record.hashVersion, current.version);
        return engine.cache.changed(record.id);
      },
      () => undefined,
    )
    .finally(() => engine.upgrading.delete(record.id));
}
