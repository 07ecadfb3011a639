/**
 * Per-request metrics without prom-client's per-call work. prom-client's `observe`/`inc` build a
 * label hash string, validate labels and index the buckets by a float-as-string property on every
 * call (~1–2 µs; thousands of CheckTx + ABCI requests a second). These keep plain numbers per
 * label set, looked up once, and hand prom-client the same metric object only when it is scraped
 * (`get()`), so `/metrics` prints the same names, labels, buckets and values as prom-client's own
 * Histogram/Counter fed the same observations (fastmetrics.test.ts compares the text).
 */
import type { Registry } from "prom-client";

type Labels = Readonly<Record<string, string>>;

/** The label set of an unlabelled metric's only child (always listed, first). */
const NO_LABELS: Labels = Object.freeze({});

interface Value {
  value: number;
  labels: Record<string, string | number>;
  metricName?: string;
  exemplar?: null;
}

/** What prom-client's registry reads from a metric (`Metric.get()`). */
interface MetricObject {
  name: string;
  help: string;
  type: string;
  values: Value[];
  aggregator: "sum";
}

/** One label set of a FastHistogram: counts per bucket (not cumulative), sum and count. */
export class HistogramChild {
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(
    readonly labels: Labels,
    private readonly bounds: readonly number[],
    /** The parent's listing order: a label set is listed from its first observation on (as prom-client does). */
    private readonly listed: HistogramChild[],
  ) {
    this.counts = bounds.map(() => 0);
  }

  /** prom-client's rule: the first bucket whose bound is ≥ v; above all bounds only +Inf counts it. */
  observe(v: number): void {
    if (!Number.isFinite(v)) throw new TypeError(`Value is not a valid number: ${v}`);
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (v <= b[i]!) {
        this.counts[i]!++;
        break;
      }
    }
    if (this.count === 0 && this.labels !== NO_LABELS) this.listed.push(this);
    this.sum += v;
    this.count++;
  }
}

/** Label sets of a metric: one child per label set, listed in prom-client's order. */
abstract class Labelled<C> {
  private children = new Map<string, C>();
  protected listed: C[] = [];

  constructor(private readonly labelNames: readonly string[]) {}

  protected abstract child(own: Labels, listed: C[]): C;

  /** The child of one label set (cache it: this builds a key string). */
  labels(labels: Labels): C {
    const key = this.labelNames.map((n) => labels[n] ?? "").join("\u0000");
    let c = this.children.get(key);
    if (!c) {
      for (const n of Object.keys(labels)) if (!this.labelNames.includes(n)) throw new Error(`Added label "${n}" is not included in initial labelset`);
      const own = this.labelNames.length === 0 ? NO_LABELS : { ...labels };
      this.children.set(key, (c = this.child(own, this.listed)));
    }
    return c;
  }

  reset(): void {
    this.children = new Map();
    this.listed = [];
    if (this.labelNames.length === 0) this.listed.push(this.labels({}));
  }
}

/** A prom-client-compatible histogram; register it with `registry.registerMetric`. */
export class FastHistogram extends Labelled<HistogramChild> {
  readonly type = "histogram";
  readonly aggregator = "sum";
  private readonly bounds: readonly number[];

  constructor(
    readonly name: string,
    readonly help: string,
    buckets: readonly number[],
    labelNames: readonly string[],
    registers: readonly Registry[],
  ) {
    super(labelNames);
    this.bounds = [...buckets];
    this.reset();
    for (const r of registers) r.registerMetric(this as never);
  }

  protected child(own: Labels, listed: HistogramChild[]): HistogramChild {
    return new HistogramChild(own, this.bounds, listed);
  }

  /** Observes into the unlabelled child. */
  observe(v: number): void {
    this.labels({}).observe(v);
  }

  async get(): Promise<MetricObject> {
    const values: Value[] = [];
    const bucket = `${this.name}_bucket`;
    for (const c of this.listed) {
      let acc = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        acc += c.counts[i]!;
        values.push({ value: acc, labels: { le: this.bounds[i]!, ...c.labels }, metricName: bucket, exemplar: null });
      }
      values.push({ value: c.count, labels: { le: "+Inf", ...c.labels }, metricName: bucket, exemplar: null });
      values.push({ value: c.sum, labels: { ...c.labels }, metricName: `${this.name}_sum` });
      values.push({ value: c.count, labels: { ...c.labels }, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

/** One label set of a FastCounter. */
export class CounterChild {
  value = 0;
  private touched = false;
  constructor(
    readonly labels: Labels,
    /** The parent's listing order: a label set is listed from its first increment on (by 0 too, as prom-client does). */
    private readonly listed: CounterChild[],
  ) {}
  inc(by = 1): void {
    if (!Number.isFinite(by)) throw new TypeError(`Value is not a valid number: ${by}`);
    if (by < 0) throw new Error("It is not possible to decrease a counter");
    if (!this.touched) {
      this.touched = true;
      if (this.labels !== NO_LABELS) this.listed.push(this);
    }
    this.value += by;
  }
}

/** A prom-client-compatible counter; register it with `registry.registerMetric`. */
export class FastCounter extends Labelled<CounterChild> {
  readonly type = "counter";
  readonly aggregator = "sum";

  constructor(
    public name: string,
    readonly help: string,
    labelNames: readonly string[],
    registers: readonly Registry[],
  ) {
    super(labelNames);
    this.reset();
    for (const r of registers) r.registerMetric(this as never);
  }

  protected child(own: Labels, listed: CounterChild[]): CounterChild {
    return new CounterChild(own, listed);
  }

  async get(): Promise<MetricObject> {
    const values: Value[] = [];
    for (const c of this.listed) values.push({ value: c.value, labels: { ...c.labels } });
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}
