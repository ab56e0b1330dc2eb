/**
 * Server-side rendering of Observable Plot charts, and the few SVG pieces Plot would otherwise draw
 * as HTML (titles, colour swatches), so that every figure is one self-contained SVG that rasterises
 * with sharp.
 *
 * @module
 */
import * as Plot from "@observablehq/plot";
import { parseHTML } from "linkedom";
import { Figure } from "./figure.ts";

const SVG_NS = "http://www.w3.org/2000/svg";
const FONT = "system-ui, -apple-system, 'DejaVu Sans', sans-serif";

/** Categorical colours (Tableau 10 plus four), so legends drawn here match the marks Plot draws. */
export const PALETTE = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
  "#17becf",
  "#8c564b",
  "#393b79",
  "#637939",
] as const;

/** The colour of the `index`-th series. */
export function seriesColor(index: number): string {
  return PALETTE[index % PALETTE.length];
}

/** The document Plot renders into (Deno has no DOM types, so it is named through Plot's options). */
type PlotDocument = NonNullable<Plot.PlotOptions["document"]>;

/** The few members of the rendered SVG element that are read here. */
interface RenderedNode {
  tagName: string;
  outerHTML: string;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
}

// One fake DOM for every chart: Plot only needs createElementNS and friends.
const { document } = parseHTML("<!DOCTYPE html><html><head></head><body></body></html>") as unknown as {
  document: PlotDocument;
};

/** Escapes text for SVG/HTML content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!,
  );
}

/**
 * Renders Plot options to a {@linkcode Figure}. Options that make Plot wrap the chart in HTML (`title`,
 * `subtitle`, `caption`, a `legend: true` scale) are refused: use {@linkcode titled} and
 * {@linkcode swatches} instead, which stay SVG.
 */
export function renderPlot(options: Plot.PlotOptions): Figure {
  const node = Plot.plot({ ...options, document }) as unknown as RenderedNode;
  if (node.tagName.toLowerCase() !== "svg") {
    throw new Error(
      "renderPlot: this chart rendered as HTML <figure> (title, caption or legend option); " +
        "use titled() and swatches() so the figure stays one SVG.",
    );
  }
  node.setAttribute("xmlns", SVG_NS);
  node.setAttribute("style", "background:#fff");
  const width = Number(node.getAttribute("width"));
  const height = Number(node.getAttribute("height"));
  return new Figure(node.outerHTML, width, height);
}

/** Lays figures out one under the other (`column`) or side by side (`row`) in one SVG. */
export function stackFigures(figures: Figure[], direction: "column" | "row" = "column", gap = 8): Figure {
  if (figures.length === 0) throw new Error("stackFigures needs at least one figure.");
  let offset = 0;
  const parts: string[] = [];
  for (const figure of figures) {
    // A nested <svg> keeps each chart's own coordinate system and stylesheet.
    const [x, y] = direction === "column" ? [0, offset] : [offset, 0];
    parts.push(`<g transform="translate(${x},${y})">${figure.svg}</g>`);
    offset += (direction === "column" ? figure.height : figure.width) + gap;
  }
  offset -= gap;
  const width = direction === "column" ? Math.max(...figures.map((f) => f.width)) : offset;
  const height = direction === "column" ? offset : Math.max(...figures.map((f) => f.height));
  return new Figure(
    `<svg xmlns="${SVG_NS}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `style="background:#fff">${parts.join("")}</svg>`,
    width,
    height,
  );
}

/** A heading (and optional smaller subtitle) as a figure, for {@linkcode titled}. */
export function titleFigure(title: string, width: number, subtitle?: string): Figure {
  const height = subtitle ? 44 : 26;
  const sub = subtitle ? `<text x="4" y="38" font-size="12" fill="#555">${escapeXml(subtitle)}</text>` : "";
  return new Figure(
    `<svg xmlns="${SVG_NS}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="${FONT}"><text x="4" y="18" font-size="15" font-weight="bold" fill="#222">` +
      `${escapeXml(title)}</text>${sub}</svg>`,
    width,
    height,
  );
}

/** A figure with a heading above it. */
export function titled(figure: Figure, title: string, subtitle?: string): Figure {
  return stackFigures([titleFigure(title, figure.width, subtitle), figure], "column", 2);
}

/** A colour legend (swatch and label per entry), wrapping onto new rows to fit `width`. */
export function swatches(entries: { label: string; color: string }[], width: number): Figure {
  const rowHeight = 18;
  let x = 4;
  let row = 0;
  const items: string[] = [];
  for (const { label, color } of entries) {
    const itemWidth = 30 + label.length * 6.8;
    if (x + itemWidth > width && x > 4) {
      x = 4;
      row++;
    }
    const y = row * rowHeight + 4;
    items.push(
      `<rect x="${x}" y="${y}" width="12" height="12" fill="${color}"/>` +
        `<text x="${x + 16}" y="${y + 10}" font-size="11" fill="#222">${escapeXml(label)}</text>`,
    );
    x += itemWidth;
  }
  const height = (row + 1) * rowHeight + 4;
  return new Figure(
    `<svg xmlns="${SVG_NS}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ` +
      `font-family="${FONT}">${items.join("")}</svg>`,
    width,
    height,
  );
}
