import type { Attributes } from '@opentelemetry/api';

/** A histogram kept in process: explicit bucket bounds, counts per bucket (the last: above every bound). */
export class HistogramCell {
  readonly counts: number[];
  count = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;

  constructor(readonly bounds: readonly number[]) {
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }

  record(value: number): void {
    const bounds = this.bounds;
    // Buckets are (previous bound, bound], as OpenTelemetry's explicit-bucket histogram has them.
    // Searched from the smallest: a warm verify lands in the first or second bucket (one or two
    // comparisons where a binary search makes five); a slow call costs at most one per bound.
    const n = bounds.length;
    let i = 0;
    while (i < n && value > bounds[i]!) i++;
    this.counts[i]!++;
    this.count++;
    this.sum += value;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }
}

/** One combination of attribute values: its attributes, frozen, a cumulative count and, for a duration, its histogram. */
export interface Row {
  readonly attributes: Attributes;
  value: number;
  readonly histogram: HistogramCell | null;
}

/** Rows beyond this many are counted in a row that is not reported (values come from small sets: a bug otherwise). */
const MAX_ROWS = 1000;

/**
 * Rows by up to three attribute values, through nested maps: recording looks up its row without
 * building a key string or a closure, and the last row found is remembered (most verifies of a
 * process share one outcome). Counts are kept here and read at each collection, so that counting
 * costs an addition instead of the SDK's attribute hashing (a counter `add` with two attributes
 * took 0.65 µs, a whole memory-store verify 0.7 µs: bench/overhead.ts).
 */
export class Rows {
  private readonly rows = new Map<string, Map<string, Map<string, Row>>>();
  private size = 0;
  private lastA = '';
  private lastB = '';
  private lastC = '';
  private last: Row | null = null;
  private readonly overflow: Row;

  constructor(
    private readonly make: (a: string, b: string, c: string) => Attributes,
    /** Bucket bounds when the rows are durations kept in process; `null`: counts only. */
    private readonly bounds: readonly number[] | null = null,
  ) {
    this.overflow = this.newRow({});
  }

  row(a: string, b = '', c = ''): Row {
    const last = this.last;
    if (last !== null && a === this.lastA && b === this.lastB && c === this.lastC) return last;
    let byB = this.rows.get(a);
    if (byB === undefined) {
      byB = new Map();
      this.rows.set(a, byB);
    }
    let byC = byB.get(b);
    if (byC === undefined) {
      byC = new Map();
      byB.set(b, byC);
    }
    let row = byC.get(c);
    if (row === undefined) {
      if (this.size >= MAX_ROWS) return this.overflow;
      row = this.newRow(this.make(a, b, c));
      byC.set(c, row);
      this.size++;
    }
    this.lastA = a;
    this.lastB = b;
    this.lastC = c;
    this.last = row;
    return row;
  }

  /** Every row, in the order they were made. */
  *each(): IterableIterator<Row> {
    for (const byB of this.rows.values()) for (const byC of byB.values()) yield* byC.values();
  }

  private newRow(attributes: Attributes): Row {
    return { attributes: Object.freeze(attributes), value: 0, histogram: this.bounds === null ? null : new HistogramCell(this.bounds) };
  }
}
