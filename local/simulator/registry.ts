import type { MetricSpec, MetricType } from "../../lib/metrics";

/** A tiny Prometheus client: counters, gauges and histograms in the text exposition format. */

export type Labels = Readonly<Record<string, string>>;

interface Series<T> {
  readonly labels: Labels;
  value: T;
}

interface HistogramValue {
  readonly counts: number[];
  sum: number;
  count: number;
}

function labelKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels));
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function formatLabels(labels: Labels, extra?: [string, string]): string {
  const pairs = Object.entries(labels);
  if (extra) pairs.push(extra);
  if (pairs.length === 0) return "";
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`;
}

function formatNumber(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  return Number.isInteger(value) ? String(value) : value.toPrecision(12).replace(/\.?0+$/, "");
}

export class Family {
  private readonly series = new Map<string, Series<number | HistogramValue>>();

  constructor(
    readonly name: string,
    readonly spec: MetricSpec,
    readonly buckets: readonly number[] = [],
  ) {}

  private entry(labels: Labels, initial: () => number | HistogramValue) {
    const key = labelKey(labels);
    let found = this.series.get(key);
    if (!found) {
      found = { labels, value: initial() };
      this.series.set(key, found);
    }
    return found;
  }

  set(labels: Labels, value: number): void {
    this.expect("gauge");
    this.entry(labels, () => 0).value = value;
  }

  inc(labels: Labels, by = 1): void {
    this.expect("counter");
    if (by < 0) throw new Error(`${this.name}: counters only go up`);
    const entry = this.entry(labels, () => 0);
    entry.value = (entry.value as number) + by;
  }

  observe(labels: Labels, value: number, times = 1): void {
    this.expect("histogram");
    const entry = this.entry(labels, () => ({
      counts: this.buckets.map(() => 0),
      sum: 0,
      count: 0,
    }));
    const histogram = entry.value as HistogramValue;
    this.buckets.forEach((le, i) => {
      if (value <= le) histogram.counts[i] += times;
    });
    histogram.sum += value * times;
    histogram.count += times;
  }

  /** Drops series whose labels no longer exist (e.g. bots removed). */
  clear(): void {
    this.series.clear();
  }

  get size(): number {
    return this.series.size;
  }

  render(lines: string[]): void {
    lines.push(`# HELP ${this.name} ${this.spec.help}`, `# TYPE ${this.name} ${this.spec.type}`);
    for (const { labels, value } of this.series.values()) {
      if (typeof value === "number") {
        lines.push(`${this.name}${formatLabels(labels)} ${formatNumber(value)}`);
      } else {
        this.renderHistogram(lines, labels, value);
      }
    }
  }

  private renderHistogram(lines: string[], labels: Labels, h: HistogramValue): void {
    this.buckets.forEach((le, i) => {
      lines.push(
        `${this.name}_bucket${formatLabels(labels, ["le", formatNumber(le)])} ${h.counts[i]}`,
      );
    });
    lines.push(`${this.name}_bucket${formatLabels(labels, ["le", "+Inf"])} ${h.count}`);
    lines.push(`${this.name}_sum${formatLabels(labels)} ${formatNumber(h.sum)}`);
    lines.push(`${this.name}_count${formatLabels(labels)} ${h.count}`);
  }

  private expect(type: MetricType): void {
    if (this.spec.type !== type) throw new Error(`${this.name} is a ${this.spec.type}`);
  }
}

export function renderFamilies(families: Iterable<Family>): string {
  const lines: string[] = [];
  for (const family of families) family.render(lines);
  return `${lines.join("\n")}\n`;
}
