/**
 * A small Prometheus registry: counters, gauges and histograms with labels, rendered in the text
 * exposition format 0.0.4 (https://prometheus.io/docs/instrumenting/exposition_formats/). Written by
 * hand rather than with prom-client: the server needs six metrics, and a registry per server (not a
 * process-global one) keeps several in-process servers (tests) apart.
 */

type Labels = Readonly<Record<string, string>>;

interface Metric {
  render(): string;
}

/** Latency buckets in seconds, 0.5 ms to 10 s: tokenization of one pair is sub-millisecond, a cold search seconds. */
export const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;

export class MetricRegistry {
  private readonly metrics: Metric[] = [];
  private readonly names = new Set<string>();

  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.add(name, new Counter(name, help, labelNames));
  }

  gauge(name: string, help: string, collect: () => number): Gauge {
    return this.add(name, new Gauge(name, help, collect));
  }

  histogram(name: string, help: string, buckets: readonly number[], labelNames: readonly string[] = []): Histogram {
    return this.add(name, new Histogram(name, help, buckets, labelNames));
  }

  /** Every metric in the text format, ending with a newline. */
  render(): string {
    return this.metrics.map((m) => m.render()).join('');
  }

  private add<M extends Metric>(name: string, metric: M): M {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name) || this.names.has(name))
      throw new Error(`bad or duplicate metric name ${name}`);
    this.names.add(name);
    this.metrics.push(metric);
    return metric;
  }
}

export class Counter implements Metric {
  private readonly values = new Map<string, { labels: Labels; value: number }>();

  constructor(
    private readonly name: string,
    private readonly help: string,
    private readonly labelNames: readonly string[],
  ) {}

  inc(labels: Labels = {}, by = 1): void {
    const key = labelKey(this.labelNames, labels);
    const entry = this.values.get(key) ?? { labels, value: 0 };
    entry.value += by;
    this.values.set(key, entry);
  }

  render(): string {
    const lines = [...this.values.values()].map(
      (e) => `${this.name}${formatLabels(this.labelNames, e.labels)} ${formatNumber(e.value)}`,
    );
    return header(this.name, this.help, 'counter') + lines.map((l) => `${l}\n`).join('');
  }
}

/** A gauge read when scraped (queue depth is the batcher's, not a copy kept in step with it). */
export class Gauge implements Metric {
  constructor(
    private readonly name: string,
    private readonly help: string,
    private readonly collect: () => number,
  ) {}

  render(): string {
    return `${header(this.name, this.help, 'gauge')}${this.name} ${formatNumber(this.collect())}\n`;
  }
}

export class Histogram implements Metric {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  private readonly buckets: readonly number[];

  constructor(
    private readonly name: string,
    private readonly help: string,
    buckets: readonly number[],
    private readonly labelNames: readonly string[],
  ) {
    this.buckets = [...buckets].sort((a, b) => a - b);
  }

  observe(value: number, labels: Labels = {}): void {
    const key = labelKey(this.labelNames, labels);
    let s = this.series.get(key);
    if (!s) {
      s = { labels, counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.series.set(key, s);
    }
    // Buckets are cumulative in the exposition; counts here are per bucket and summed when rendered.
    const i = this.buckets.findIndex((b) => value <= b);
    if (i >= 0) s.counts[i]! += 1;
    s.sum += value;
    s.count += 1;
  }

  render(): string {
    let out = header(this.name, this.help, 'histogram');
    for (const s of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += s.counts[i]!;
        out += `${this.name}_bucket${formatLabels(this.labelNames, s.labels, { le: formatNumber(le) })} ${cumulative}\n`;
      });
      out += `${this.name}_bucket${formatLabels(this.labelNames, s.labels, { le: '+Inf' })} ${s.count}\n`;
      out += `${this.name}_sum${formatLabels(this.labelNames, s.labels)} ${formatNumber(s.sum)}\n`;
      out += `${this.name}_count${formatLabels(this.labelNames, s.labels)} ${s.count}\n`;
    }
    return out;
  }
}

function header(name: string, help: string, type: string): string {
  return `# HELP ${name} ${help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}\n# TYPE ${name} ${type}\n`;
}

function labelKey(names: readonly string[], labels: Labels): string {
  return names.map((n) => labels[n] ?? '').join('\u0000');
}

function formatLabels(names: readonly string[], labels: Labels, extra: Labels = {}): string {
  const pairs = [...names.map((n) => [n, labels[n] ?? ''] as const), ...Object.entries(extra)];
  if (pairs.length === 0) return '';
  return `{${pairs.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
}

function formatNumber(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (!Number.isFinite(n)) return n > 0 ? '+Inf' : '-Inf';
  return String(n);
}
