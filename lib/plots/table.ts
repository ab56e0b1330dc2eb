/**
 * Tables for notebooks and reports: rows of plain values shown as an HTML table (with a text
 * fallback), so a notebook cell can end with `table(rows)` like a DataFrame.
 *
 * @module
 */
import { escapeXml } from "./render.ts";
import type { MimeBundle } from "./figure.ts";

/** A cell value: numbers are formatted, `undefined`/`null`/NaN show as an empty cell. */
export type CellValue = string | number | boolean | null | undefined;

/** Rows shown as a table; the columns are the keys of the first row unless given. */
export class Table {
  readonly rows: readonly Record<string, CellValue>[];
  readonly columns: readonly string[];
  readonly caption?: string;

  constructor(
    rows: readonly Record<string, CellValue>[],
    options: { columns?: string[]; caption?: string } = {},
  ) {
    this.rows = rows;
    this.columns = options.columns ?? Object.keys(rows[0] ?? {});
    this.caption = options.caption;
  }

  /** The table as HTML. */
  html(): string {
    const head = this.columns.map((c) => `<th>${escapeXml(c)}</th>`).join("");
    const body = this.rows.map((row) =>
      `<tr>${
        this.columns.map((c) => {
          const value = row[c];
          const align = typeof value === "number" ? ' style="text-align:right"' : "";
          return `<td${align}>${escapeXml(formatCell(value))}</td>`;
        }).join("")
      }</tr>`
    ).join("");
    const caption = this.caption ? `<caption>${escapeXml(this.caption)}</caption>` : "";
    return `<table class="posterlab-table">${caption}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
  }

  /** The table as aligned plain text. */
  text(): string {
    const cells = [
      this.columns as string[],
      ...this.rows.map((r) => this.columns.map((c) => formatCell(r[c]))),
    ];
    const widths = this.columns.map((_, j) => Math.max(...cells.map((row) => row[j].length)));
    return cells.map((row) => row.map((cell, j) => cell.padEnd(widths[j])).join("  ").trimEnd()).join("\n");
  }

  /** The notebook output. */
  mimeBundle(): MimeBundle {
    return { "text/html": this.html(), "text/plain": this.text() };
  }

  /** Called by the Deno Jupyter kernel when the table is a cell's last expression. */
  [Symbol.for("Jupyter.display")](): MimeBundle {
    return this.mimeBundle();
  }
}

/** Shorthand for `new Table(rows, options)`. */
export function table(
  rows: readonly Record<string, CellValue>[],
  options: { columns?: string[]; caption?: string } = {},
): Table {
  return new Table(rows, options);
}

/** Formats one cell: integers as is (with thousands separators), fractions to 3 decimals. */
export function formatCell(value: CellValue): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "number") {
    if (Number.isNaN(value)) return "";
    return Number.isInteger(value) ? value.toLocaleString("en-US") : value.toFixed(3);
  }
  return String(value);
}
