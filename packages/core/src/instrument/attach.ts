import type { Engine } from '../engine/context.js';
import type { CounterStore } from '../policy/types.js';
import type { StoredKey } from '../store/types.js';
import { Observation } from './observed.js';
import type { Probe } from './probe.js';
import { BACKGROUND, RecordingStores } from './recording-store.js';

/**
 * How `resolveOptions` attaches the instruments: recording stand-ins of the stores (background
 * writes now, the views of verify and lifecycle calls once the engine is complete).
 */
export class Attachment {
  constructor(
    private readonly engine: Engine,
    private readonly probe: Probe,
  ) {}

  /** The stand-in of a store whose calls belong to no operation (usage and audit writes). */
  background<S extends object>(raw: S): S {
    return this.recorder(raw).for(BACKGROUND);
  }

  /** The views of the complete engine; `counters`: the store of the policies' counters, if any. */
  observation(counters: CounterStore | null): Observation {
    const { engine } = this;
    const store = engine.store;
    // Stores that are the key store itself share its recorder (one stand-in per operation).
    const apart = <S extends object>(other: S | null): S | null => (other === null || (other as object) === store ? null : other);
    const counterStore = apart(counters);
    const usage = apart(engine.usageStore);
    const audit = apart(engine.auditStore);
    return new Observation(
      engine,
      {
        store: this.recorder(store),
        counters: counterStore === null ? null : this.recorder(counterStore),
        usage: usage === null ? null : this.recorder(usage),
        audit: audit === null ? null : this.recorder(audit),
      },
      counterStore !== null && (counterStore as { local?: unknown }).local === true,
    );
  }

  private recorder<S extends object>(raw: S): RecordingStores<S> {
    return new RecordingStores(raw, this.probe, (row) => this.checkRow(row));
  }

  /** The hash version and format of the last row found readable (most rows share them). */
  private readableVersion = '';
  private readableFormat = '';

  /** A stored key this engine cannot read is a misconfiguration, told once. */
  private checkRow(row: StoredKey): void {
    if (row.hashVersion === this.readableVersion && row.format === this.readableFormat) return;
    const { engine, probe } = this;
    if (engine.hasherByVersion.has(row.hashVersion) && engine.formatByName.has(row.format)) {
      this.readableVersion = row.hashVersion;
      this.readableFormat = row.format;
      return;
    }
    if (!engine.hasherByVersion.has(row.hashVersion))
      probe.misconfigured('unknown_hash_version', `a stored key is hashed with ${row.hashVersion}, which no hasher of this engine makes`);
    if (!engine.formatByName.has(row.format))
      probe.misconfigured('unknown_format', `a stored key has the format ${row.format}, which this engine does not read`);
  }
}
