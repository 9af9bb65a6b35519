import type { MetricSpec, MetricType } from "../../lib/metrics";

/** A tiny Prometheus client: counters, gauges and histograms in the text exposition format. */

export type Labels = Readonly<Record<string, string>>;

interface Series<T> {
  readonly labels: Labels;
  value: T;
  /** The series' names in the text format, formatted once (a histogram has several). */
  names?: string[];
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

export function formatNumber(value: number): string {
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
    this.samples((series, value) => lines.push(`${series} ${formatNumber(value)}`));
  }

  /** Every sample the text format shows, as its series (name and labels) and value. */
  samples(visit: (series: string, value: number) => void): void {
    for (const entry of this.series.values()) {
      entry.names ??= this.seriesNames(entry.labels, typeof entry.value === "number");
      const { names, value } = entry;
      if (typeof value === "number") {
        visit(names[0], value);
        continue;
      }
      value.counts.forEach((count, i) => {
        visit(names[i], count);
      });
      visit(names[this.buckets.length], value.count);
      visit(names[this.buckets.length + 1], value.sum);
      visit(names[this.buckets.length + 2], value.count);
    }
  }

  private seriesNames(labels: Labels, single: boolean): string[] {
    if (single) return [`${this.name}${formatLabels(labels)}`];
    return [
      ...this.buckets.map(
        (le) => `${this.name}_bucket${formatLabels(labels, ["le", formatNumber(le)])}`,
      ),
      `${this.name}_bucket${formatLabels(labels, ["le", "+Inf"])}`,
      `${this.name}_sum${formatLabels(labels)}`,
      `${this.name}_count${formatLabels(labels)}`,
    ];
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
