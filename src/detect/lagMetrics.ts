/**
 * The receipt-to-alert metrics of `detect serve`, observed a batch at a time.
 *
 * Every event of a request has the same receipt time, and a batch of them is
 * finished at one moment, so up to 400 events share one lag. prom-client's
 * Histogram and Summary take one value per call: 12,000 calls a second, and
 * the Summary pushes each into five t-digests (one per age bucket). That was
 * about 18% of the server's allocations and a steady churn of long-lived
 * digest nodes (BENCHMARKS.md (k.4)). These two classes take a value with a
 * count and expose the same Prometheus text as prom-client's (the histogram
 * line for line, checked by a test), registered in the same prom-client
 * Registry. The quantiles are exact at millisecond resolution (nearest rank),
 * where the t-digest interpolated.
 */
import type { Metric, Registry } from 'prom-client';

interface MetricValue {
  readonly value: number;
  readonly labels?: Record<string, string | number>;
  readonly metricName?: string;
}

interface CustomMetric {
  readonly name: string;
  readonly help: string;
  readonly type: 'histogram' | 'summary';
  readonly aggregator: 'sum';
  get(): { name: string; help: string; type: string; values: MetricValue[]; aggregator: 'sum' };
  reset(): void;
}

function register(registry: Registry, metric: CustomMetric): void {
  // prom-client renders any object with name, help, type and get() (its own metrics are such objects).
  registry.registerMetric(metric as unknown as Metric);
}

/** A Prometheus histogram (cumulative buckets, sum, count) that takes a value with a count. */
export class CountingHistogram implements CustomMetric {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    this.counts = new Float64Array(buckets.length);
    register(registry, this);
  }

  observe(value: number, count = 1): void {
    this.sum += value * count;
    this.count += count;
    const buckets = this.buckets;
    for (let index = 0; index < buckets.length; index++) {
      if (value <= buckets[index]!) {
        this.counts[index] = this.counts[index]! + count;
        return;
      }
    }
  }

  get(): ReturnType<CustomMetric['get']> {
    const values: MetricValue[] = [];
    let cumulative = 0;
    this.buckets.forEach((bound, index) => {
      cumulative += this.counts[index]!;
      values.push({ value: cumulative, labels: { le: bound }, metricName: `${this.name}_bucket` });
    });
    values.push({ value: this.count, labels: { le: '+Inf' }, metricName: `${this.name}_bucket` });
    values.push({ value: this.sum, metricName: `${this.name}_sum` });
    values.push({ value: this.count, metricName: `${this.name}_count` });
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

/**
 * A Prometheus summary of millisecond values: quantiles over a sliding time
 * window (as prom-client's `maxAgeSeconds` and `ageBuckets`: every value goes
 * into each of `ageBuckets` windows, the oldest of which is read and, every
 * maxAge / ageBuckets, emptied to start again), with sum and count since
 * start, in seconds.
 */
export class WindowedQuantiles implements CustomMetric {
  readonly type = 'summary';
  readonly aggregator = 'sum';
  private readonly windows: Map<number, number>[];
  /** Index of the window read (the one filled longest). */
  private oldest = 0;
  private rotatedAt: number;
  /** In milliseconds, so whole-millisecond values add up exactly. */
  private sumMilliseconds = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly percentiles: readonly number[],
    private readonly maxAgeSeconds: number,
    private readonly ageBuckets: number,
    registry: Registry,
    private readonly now: () => number = Date.now,
  ) {
    this.windows = Array.from({ length: ageBuckets }, () => new Map<number, number>());
    this.rotatedAt = now();
    register(registry, this);
  }

  /** Values over 10 s are kept to 100 ms, so the number of distinct values stays bounded. */
  private static bin(milliseconds: number): number {
    const whole = Math.max(0, Math.round(milliseconds));
    return whole <= 10_000 ? whole : Math.round(whole / 100) * 100;
  }

  private rotate(): void {
    const step = (this.maxAgeSeconds * 1000) / this.ageBuckets;
    const now = this.now();
    let turns = 0;
    while (now - this.rotatedAt >= step && turns < this.ageBuckets) {
      this.windows[this.oldest]!.clear();
      this.oldest = (this.oldest + 1) % this.ageBuckets;
      this.rotatedAt += step;
      turns++;
    }
    if (now - this.rotatedAt >= step) this.rotatedAt = now;
  }

  observe(milliseconds: number, count = 1): void {
    this.rotate();
    const key = WindowedQuantiles.bin(milliseconds);
    for (const window of this.windows) window.set(key, (window.get(key) ?? 0) + count);
    this.sumMilliseconds += milliseconds * count;
    this.count += count;
  }

  /** The nearest-rank quantiles of the window read, in seconds (0 when it is empty). */
  quantiles(): number[] {
    this.rotate();
    const window = this.windows[this.oldest]!;
    const values = [...window.keys()].sort((a, b) => a - b);
    let total = 0;
    for (const value of values) total += window.get(value)!;
    return this.percentiles.map((percentile) => {
      if (total === 0) return 0;
      const rank = Math.max(1, Math.ceil(percentile * total));
      let seen = 0;
      for (const value of values) {
        seen += window.get(value)!;
        if (seen >= rank) return value / 1000;
      }
      return values[values.length - 1]! / 1000;
    });
  }

  get(): ReturnType<CustomMetric['get']> {
    const values: MetricValue[] = this.quantiles().map((value, index) => ({ value, labels: { quantile: this.percentiles[index]! } }));
    values.push({ value: this.sumMilliseconds / 1000, metricName: `${this.name}_sum` });
    values.push({ value: this.count, metricName: `${this.name}_count` });
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    for (const window of this.windows) window.clear();
    this.sumMilliseconds = 0;
    this.count = 0;
  }
}
