import * as vega from "vega";
import type { Unit } from "./trends";

/** One SVG line chart per trend, rendered headless by Vega (no browser, no canvas). */

export interface Point {
  readonly t: number;
  readonly v: number;
}

export function lineChartSpec(title: string, unit: Unit, points: readonly Point[]): vega.Spec {
  const percent = unit === "share";
  return {
    $schema: "https://vega.github.io/schema/vega/v5.json",
    width: 640,
    height: 220,
    padding: 8,
    background: "white",
    title: { text: title },
    data: [
      {
        name: "trend",
        values: points.map((p) => ({ t: p.t * 1000, v: percent ? p.v * 100 : p.v })),
      },
    ],
    scales: [
      { name: "x", type: "utc", domain: { data: "trend", field: "t" }, range: "width" },
      {
        name: "y",
        type: "linear",
        domain: { data: "trend", field: "v" },
        range: "height",
        zero: true,
        nice: true,
      },
    ],
    axes: [
      { orient: "bottom", scale: "x", title: "time (UTC)", labelOverlap: true },
      { orient: "left", scale: "y", title: percent ? "%" : unit, grid: true },
    ],
    marks: [
      {
        type: "line",
        from: { data: "trend" },
        encode: {
          enter: {
            x: { scale: "x", field: "t" },
            y: { scale: "y", field: "v" },
            stroke: { value: "#1f77b4" },
            strokeWidth: { value: 2 },
          },
        },
      },
      {
        // Points too, so a chart of a young Prometheus (one sample) still shows its value.
        type: "symbol",
        from: { data: "trend" },
        encode: {
          enter: {
            x: { scale: "x", field: "t" },
            y: { scale: "y", field: "v" },
            size: { value: 10 },
            fill: { value: "#1f77b4" },
          },
        },
      },
    ],
  };
}

export async function renderChart(
  title: string,
  unit: Unit,
  points: readonly Point[],
): Promise<string> {
  const view = new vega.View(vega.parse(lineChartSpec(title, unit, points)), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Measured utilization (share), its least-squares line to `until`, and the 80% limit. */
export function projectionChartSpec(
  title: string,
  points: readonly Point[],
  fit: readonly Point[],
  limit: number,
): vega.Spec {
  const base = lineChartSpec(title, "share", points);
  const pct = (p: Point) => ({ t: p.t * 1000, v: p.v * 100 });
  return {
    ...base,
    data: [
      { name: "trend", values: points.map(pct) },
      { name: "fit", values: fit.map(pct) },
      { name: "limit", values: [{ v: limit * 100 }] },
      {
        name: "all",
        values: [...points, ...fit]
          .map(pct)
          .concat([{ t: points[0]?.t * 1000 || 0, v: limit * 100 }]),
      },
    ],
    scales: [
      { name: "x", type: "utc", domain: { data: "all", field: "t" }, range: "width" },
      {
        name: "y",
        type: "linear",
        domain: { data: "all", field: "v" },
        range: "height",
        zero: true,
        nice: true,
      },
    ],
    marks: [
      ...(base.marks ?? []),
      {
        type: "line",
        from: { data: "fit" },
        encode: {
          enter: {
            x: { scale: "x", field: "t" },
            y: { scale: "y", field: "v" },
            stroke: { value: "#d62728" },
            strokeDash: { value: [6, 4] },
            strokeWidth: { value: 2 },
          },
        },
      },
      {
        type: "rule",
        from: { data: "limit" },
        encode: {
          enter: {
            x: { value: 0 },
            x2: { signal: "width" },
            y: { scale: "y", field: "v" },
            stroke: { value: "#ff7f0e" },
          },
        },
      },
    ],
  };
}

export async function renderSpec(spec: vega.Spec): Promise<string> {
  const view = new vega.View(vega.parse(spec), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
