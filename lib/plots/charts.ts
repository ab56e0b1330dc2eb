/**
 * The chart kinds the notebooks and CLIs draw: bars, columns, histograms, lines, scatter plots,
 * heatmaps and precision-recall curves. Each takes plain data and returns a {@linkcode Figure}.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import type { Figure } from "./figure.ts";
import { renderPlot, seriesColor, stackFigures, swatches, titled } from "./render.ts";

/** Options every chart takes. */
export interface ChartOptions {
  /** Heading drawn above the chart. */
  title?: string;
  /** Smaller line under the heading. */
  subtitle?: string;
  /** Width in CSS pixels (default 640). */
  width?: number;
  /** Height in CSS pixels (a default fitted to the data otherwise). */
  height?: number;
}

function finish(figure: Figure, options: ChartOptions): Figure {
  return options.title ? titled(figure, options.title, options.subtitle) : figure;
}

/** One bar of a {@linkcode barChart}. */
export interface Bar {
  label: string;
  value: number;
}

/**
 * Horizontal bars, one per label, longest first unless `sort` is false; the value is written at the
 * end of each bar with `format` (default: integers as is, fractions to 3 decimals).
 */
export function barChart(
  bars: readonly Bar[],
  options: ChartOptions & { xLabel?: string; sort?: boolean; format?: (value: number) => string } = {},
): Figure {
  const data = options.sort === false ? [...bars] : [...bars].sort((a, b) => b.value - a.value);
  const format = options.format ?? defaultFormat;
  const longestLabel = Math.max(0, ...data.map((d) => d.label.length));
  return finish(
    renderPlot({
      width: options.width ?? 640,
      height: options.height ?? 30 + 22 * data.length,
      marginLeft: Math.min(220, 12 + 7 * longestLabel),
      marginRight: 48,
      x: { label: options.xLabel ?? null, grid: true, nice: true },
      y: { label: null, domain: data.map((d) => d.label) },
      marks: [
        Plot.barX(data, { x: "value", y: "label", fill: seriesColor(0) }),
        Plot.text(data, {
          x: "value",
          y: "label",
          text: (d: Bar) => format(d.value),
          dx: 4,
          textAnchor: "start",
        }),
        Plot.ruleX([0]),
      ],
    }),
    options,
  );
}

/** One value of a {@linkcode groupedBarChart}: `series` (e.g. a model) within `group` (e.g. a genre). */
export interface GroupedBar {
  group: string;
  series: string;
  value: number;
}

/** Horizontal bars grouped by `group`, one colour per `series`, with a colour legend on top. */
export function groupedBarChart(
  bars: readonly GroupedBar[],
  options: ChartOptions & { xLabel?: string; xDomain?: [number, number] } = {},
): Figure {
  const groups = [...new Set(bars.map((b) => b.group))];
  const series = [...new Set(bars.map((b) => b.series))];
  const colors = series.map((_, i) => seriesColor(i));
  const width = options.width ?? 640;
  const chart = renderPlot({
    width,
    height: options.height ?? 40 + groups.length * (8 + 12 * series.length),
    marginLeft: Math.min(260, 16 + 6.5 * Math.max(...groups.map((g) => g.length))),
    marginTop: 10,
    x: { label: options.xLabel ?? null, grid: true, domain: options.xDomain },
    y: { domain: series, axis: null },
    fy: { domain: groups, label: null },
    color: { domain: series, range: colors },
    marks: [
      Plot.barX(bars, { x: "value", y: "series", fy: "group", fill: "series" }),
      Plot.axisFy({ anchor: "left", label: null }),
      Plot.ruleX([0]),
    ],
  });
  const legend = swatches(series.map((label, i) => ({ label, color: colors[i] })), width);
  return finish(stackFigures([legend, chart]), options);
}

/** One column of a {@linkcode columnChart}. */
export interface Column {
  x: number | string;
  value: number;
}

/** Vertical bars over an ordered axis (years, epochs, label counts). */
export function columnChart(
  columns: readonly Column[],
  options: ChartOptions & { xLabel?: string; yLabel?: string; tickEvery?: number } = {},
): Figure {
  const domain = columns.map((c) => c.x);
  const every = options.tickEvery ?? Math.max(1, Math.ceil(columns.length / 16));
  return finish(
    renderPlot({
      width: options.width ?? 640,
      height: options.height ?? 260,
      x: {
        label: options.xLabel ?? null,
        domain,
        tickFormat: (_: unknown, i: number) => (i % every === 0 ? String(domain[i]) : ""),
      },
      y: { label: options.yLabel ?? null, grid: true },
      marks: [Plot.barY(columns, { x: "x", y: "value", fill: seriesColor(0) }), Plot.ruleY([0])],
    }),
    options,
  );
}

/** A histogram of `values` with about `bins` bins. */
export function histogram(
  values: readonly number[],
  options: ChartOptions & { xLabel?: string; bins?: number } = {},
): Figure {
  return finish(
    renderPlot({
      width: options.width ?? 640,
      height: options.height ?? 240,
      x: { label: options.xLabel ?? null },
      y: { label: "count", grid: true },
      marks: [
        Plot.rectY(
          values,
          Plot.binX({ y: "count" }, { x: (v: number) => v, thresholds: options.bins ?? 30 }),
        ),
        Plot.ruleY([0]),
      ],
    }),
    options,
  );
}

/** A named series of points for {@linkcode lineChart}. */
export interface Series {
  name: string;
  points: { x: number; y: number }[];
}

/**
 * Lines, one colour per series, each labelled at its last point and listed in a legend on top.
 * `dots` marks every point (useful when a series has few points, like a short training run).
 */
export function lineChart(
  series: readonly Series[],
  options: ChartOptions & {
    xLabel?: string;
    yLabel?: string;
    xDomain?: [number, number];
    yDomain?: [number, number];
    dots?: boolean;
    integerX?: boolean;
    /** A logarithmic y axis, for series that fall by orders of magnitude (a distance from its start). */
    logY?: boolean;
  } = {},
): Figure {
  const width = options.width ?? 640;
  const names = series.map((s) => s.name);
  const colors = names.map((_, i) => seriesColor(i));
  const rows = series.flatMap((s) => s.points.map((p) => ({ name: s.name, x: p.x, y: p.y })));
  const marks: Plot.Markish[] = [
    Plot.line(rows, { x: "x", y: "y", z: "name", stroke: "name", strokeWidth: 2 }),
  ];
  if (options.dots) marks.push(Plot.dot(rows, { x: "x", y: "y", fill: "name", r: 2.5 }));
  const chart = renderPlot({
    width,
    height: options.height ?? 280,
    marginRight: 20,
    x: {
      label: options.xLabel ?? null,
      domain: options.xDomain,
      ...(options.integerX ? { ticks: integerTicks(options.xDomain ?? extent(rows.map((r) => r.x))) } : {}),
    },
    y: {
      label: options.yLabel ?? null,
      domain: options.yDomain,
      grid: true,
      ...(options.logY ? { type: "log" as const } : {}),
    },
    color: { domain: names, range: colors },
    marks,
  });
  const legend = swatches(names.map((label, i) => ({ label, color: colors[i] })), width);
  return finish(stackFigures([legend, chart], "column", 2), options);
}

/**
 * One dot per point, e.g. predicted against true values; `diagonal` draws the line y = x, where a
 * perfect prediction lies.
 */
export function scatterChart(
  points: readonly { x: number; y: number }[],
  options: ChartOptions & {
    xLabel?: string;
    yLabel?: string;
    diagonal?: boolean;
    /** d3 format of both axes' ticks, e.g. `"d"` for years (no thousands separator). */
    tickFormat?: string;
  } = {},
): Figure {
  const marks: Plot.Markish[] = [
    Plot.dot(points, { x: "x", y: "y", r: 1.8, fill: seriesColor(0), fillOpacity: 0.35 }),
  ];
  if (options.diagonal && points.length > 0) {
    const [low, high] = extent([...points.map((p) => p.x), ...points.map((p) => p.y)]);
    marks.push(
      Plot.line([{ x: low, y: low }, { x: high, y: high }], {
        x: "x",
        y: "y",
        stroke: "#888",
        strokeDasharray: "4,3",
      }),
    );
  }
  return finish(
    renderPlot({
      width: options.width ?? 360,
      height: options.height ?? 320,
      marginRight: 16,
      x: { label: options.xLabel ?? null, tickFormat: options.tickFormat },
      y: { label: options.yLabel ?? null, grid: true, tickFormat: options.tickFormat },
      marks,
    }),
    options,
  );
}

/** A matrix of values with row and column labels, e.g. genre co-occurrence counts. */
export interface Matrix {
  rows: readonly string[];
  columns: readonly string[];
  /** `values[r][c]` */
  values: readonly (readonly number[])[];
}

/** Coloured cells with their value written inside (`format`, default integers or 2 decimals). */
export function heatmap(
  matrix: Matrix,
  options: ChartOptions & { format?: (value: number) => string; scheme?: Plot.ColorScheme } = {},
): Figure {
  const cells = matrix.rows.flatMap((row, r) =>
    matrix.columns.map((column, c) => ({ row, column, value: matrix.values[r][c] }))
  );
  const format = options.format ?? defaultFormat;
  const size = Math.max(26, Math.min(48, Math.floor(560 / matrix.columns.length)));
  const longest = Math.max(...matrix.rows.map((r) => r.length), ...matrix.columns.map((c) => c.length));
  const margin = 12 + 7 * longest;
  const max = Math.max(...cells.map((c) => c.value));
  return finish(
    renderPlot({
      width: options.width ?? margin + size * matrix.columns.length + 10,
      height: options.height ?? margin + size * matrix.rows.length + 10,
      marginLeft: margin,
      marginTop: margin,
      marginBottom: 10,
      padding: 0.04,
      x: { domain: matrix.columns, axis: "top", label: null, tickRotate: -45 },
      y: { domain: matrix.rows, label: null },
      color: { type: "sqrt", scheme: options.scheme ?? "blues", domain: [0, max] },
      marks: [
        Plot.cell(cells, { x: "column", y: "row", fill: "value" }),
        Plot.text(cells, {
          x: "column",
          y: "row",
          text: (d: { value: number }) => format(d.value),
          fill: (d: { value: number }) => (d.value > max * 0.45 ? "white" : "black"),
          fontSize: 9,
        }),
      ],
    }),
    options,
  );
}

/** One precision-recall curve: points ordered by decreasing threshold, and its average precision. */
export interface PrCurve {
  label: string;
  averagePrecision?: number;
  points: { recall: number; precision: number }[];
}

/** Precision-recall curves on the unit square, labelled with their average precision. */
export function prCurves(curves: readonly PrCurve[], options: ChartOptions = {}): Figure {
  return lineChart(
    curves.map((c) => ({
      name: c.averagePrecision === undefined ? c.label : `${c.label} (AP ${c.averagePrecision.toFixed(2)})`,
      points: c.points.map((p) => ({ x: p.recall, y: p.precision })),
    })),
    { xLabel: "recall →", yLabel: "↑ precision", xDomain: [0, 1], yDomain: [0, 1], height: 360, ...options },
  );
}

/** Smallest and largest of `values`. */
function extent(values: number[]): [number, number] {
  return [Math.min(...values), Math.max(...values)];
}

/** At most about 12 whole-number ticks covering `[min, max]`. */
function integerTicks([min, max]: [number, number]): number[] {
  const step = Math.max(1, Math.ceil((max - min) / 12));
  const ticks: number[] = [];
  for (let t = Math.ceil(min); t <= max; t += step) ticks.push(t);
  return ticks;
}

function defaultFormat(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(Math.abs(value) < 10 ? 3 : 1);
}
