/**
 * The header at the top of each report: a small table saying what produced it (see provenance.ts).
 *
 * @example
 * ```ts
 * import { headerRows, reportHeaderHtml } from "./header.ts";
 * import type { ReportProvenance } from "./provenance.ts";
 * const provenance: ReportProvenance = {
 *   title: "1 · Movie posters",
 *   date: "2026-12-01T22:40:00.000Z",
 *   code: { commit: "a31dad9", uncommittedChanges: false },
 *   backends: [],
 *   machine: { cores: 2, target: "x86_64-unknown-linux-gnu", deno: "2.9.6" },
 *   parameters: [],
 * };
 * headerRows(provenance); // [["Date", "2026-12-01 22:40 UTC"], ["Code", "commit a31dad9"], ...]
 * reportHeaderHtml(provenance); // <header class="posterlab-report-header">...
 * ```
 *
 * @module
 */
import type { ReportProvenance } from "./provenance.ts";

/** `&`, `<`, `>` and `"` as HTML entities. */
function escapeHtml(text: string): string {
  return text.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;").replaceAll(
    '"',
    "&quot;",
  );
}

const count = (n: number) => n.toLocaleString("en-US");

/** The header as label/text rows, in the order shown. */
export function headerRows(p: ReportProvenance): [string, string][] {
  const rows: [string, string][] = [];
  rows.push(["Date", `${p.date.slice(0, 16).replace("T", " ")} UTC`]);
  rows.push([
    "Code",
    p.code.commit
      ? `commit ${p.code.commit}${p.code.uncommittedChanges ? " with uncommitted changes" : ""}`
      : "not a git checkout (commit unknown)",
  ]);
  if (p.dataset) {
    const d = p.dataset;
    const resized = Object.entries(d.resized).map(([ratio, n]) => `ratio ${ratio}: ${count(n)}`).join(", ");
    rows.push([
      "Dataset",
      d.csvRows === undefined
        ? `${d.folder} (no MovieGenre.csv)`
        : `${d.folder}: ${count(d.csvRows)} CSV rows, ${count(d.movies!)} movies, ${count(d.posterFiles!)} ` +
          `poster files; resized posters: ${resized || "none"}`,
    ]);
  }
  rows.push([
    "Backend",
    p.backends.length ? p.backends.join(", ") : "none (the notebook ran no TensorFlow.js)",
  ]);
  const m = p.machine;
  rows.push([
    "Machine",
    [
      m.cpu ?? "CPU unknown",
      `${m.cores} cores`,
      m.memoryGiB ? `${m.memoryGiB} GiB` : "",
      m.target,
      `Deno ${m.deno}`,
    ]
      .filter(Boolean).join(", "),
  ]);
  const bySource = Map.groupBy(p.parameters, (c) => c.by);
  rows.push([
    "Parameters",
    bySource.size
      ? [...bySource].map(([by, changed]) =>
        `${by}: ${
          changed.map((c) => `${c.name} = ${c.value}${c.declared ? ` (notebook: ${c.declared})` : ""}`).join(
            ", ",
          )
        }`
      ).join("; ")
      : "as in the notebook",
  ]);
  return rows;
}

/** The header as an HTML block for the top of the report's body. */
export function reportHeaderHtml(p: ReportProvenance): string {
  const rows = headerRows(p).map(([label, text]) => `<tr><th>${label}</th><td>${escapeHtml(text)}</td></tr>`);
  return `<header class="posterlab-report-header">
<div class="posterlab-report-kicker">posterlab report</div>
<div class="posterlab-report-title">${escapeHtml(p.title)}</div>
<table>${rows.join("")}</table>
</header>`;
}

/** Styles of the header (screen and print). */
export const REPORT_HEADER_CSS = `
  .posterlab-report-header { max-width: 1000px; margin: 16px auto 8px; padding: 8px 12px; border: 1px solid #ccc;
    border-radius: 4px; font-family: system-ui, sans-serif; font-size: 11px; break-inside: avoid; }
  .posterlab-report-kicker { color: #777; text-transform: uppercase; letter-spacing: .08em; font-size: 9px; }
  .posterlab-report-title { font-size: 15px; font-weight: 600; margin: 2px 0 6px; }
  .posterlab-report-header table { border-collapse: collapse; }
  .posterlab-report-header th { text-align: left; vertical-align: top; padding: 1px 12px 1px 0; color: #555;
    font-weight: 600; white-space: nowrap; }
  .posterlab-report-header td { padding: 1px 0; overflow-wrap: anywhere; }
`;
