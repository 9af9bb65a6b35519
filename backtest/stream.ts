import { formatNumber } from "../local/simulator/registry";

/**
 * The scrape stream the replay engine's `ingest` command turns into TSDB blocks (its format is
 * documented in backtest/engine/ingest.go): each series is named once, then only the values
 * that change are written, and every scrape repeats every live series' value. A week of 1,000
 * bots is 20 million samples but only a few megabytes of stream, so neither side formats or
 * parses a sample that did not change.
 */

interface Known {
  readonly id: number;
  /** The value last written; undefined until the first. */
  value?: number;
  seen: number;
}

/** A series the recording leaves out (its metric is not read by the replayed rules). */
const SKIPPED: Known = { id: -1, seen: 0 };

export class ScrapeStream {
  private readonly known = new Map<string, Known>();
  private nextId = 0;
  private scrapes = 0;
  private live = 0;
  private seenNow = 0;

  constructor(
    /** Labels every series gets, as the scrape job would add them: `job="…",instance="…"`. */
    private readonly targetLabels: string,
    /** Metric names to record; null: all. */
    private readonly names: ReadonlySet<string> | null,
    private readonly out: string[],
  ) {}

  /** Starts a scrape at `ms`; `sample` then takes each of its samples. */
  begin(ms: number): void {
    this.scrapes += 1;
    this.seenNow = 0;
    this.out.push(`t ${ms}\n`);
  }

  sample(series: string, value: number): void {
    let known = this.known.get(series);
    if (!known) known = this.define(series);
    if (known === SKIPPED) return;
    if (known.seen === this.scrapes) throw new Error(`${series} twice in one scrape`);
    known.seen = this.scrapes;
    this.seenNow += 1;
    if (known.value === undefined || !Object.is(known.value, value)) {
      known.value = value;
      this.out.push(`v ${known.id} ${formatNumber(value)}\n`);
    }
  }

  /** Ends the scrape: the series it did not show are gone. */
  end(): void {
    if (this.seenNow === this.live) return;
    for (const [series, known] of this.known) {
      if (known !== SKIPPED && known.seen !== this.scrapes) {
        this.out.push(`x ${known.id}\n`);
        this.known.delete(series);
        this.live -= 1;
      }
    }
  }

  private define(series: string): Known {
    const brace = series.indexOf("{");
    const name = brace < 0 ? series : series.slice(0, brace);
    if (this.names && !this.names.has(name)) {
      this.known.set(series, SKIPPED);
      return SKIPPED;
    }
    const labels =
      brace < 0 ? `{${this.targetLabels}}` : `{${this.targetLabels},${series.slice(brace + 1)}`;
    const known: Known = { id: this.nextId, seen: 0 };
    this.nextId += 1;
    this.live += 1;
    this.known.set(series, known);
    this.out.push(`s ${known.id} ${name}${labels}\n`);
    return known;
  }
}
