/**
 * The saved models' comparison ({@linkcode ComparisonRow}s from lib/evaluation/compare.ts) as a table,
 * for `deno task compare` and notebook 3.
 *
 * ```ts
 * import { comparisonRows } from "../evaluation/compare.ts";
 * import { comparisonRowsTable } from "./comparison_table.ts";
 * console.log(comparisonRowsTable(await comparisonRows()).text());
 * ```
 *
 * @module
 */
import type { ComparisonRow } from "../evaluation/compare.ts";
import { type Table, table } from "./table.ts";

/** Minutes and seconds, e.g. `4m05s`. */
function minutes(seconds: number): string {
  const s = Math.round(seconds);
  return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/**
 * The rows as a table (percentages for the original's accuracy; blank test cells: not evaluated; a
 * model whose files are damaged is marked `(damaged)`).
 */
export function comparisonRowsTable(rows: readonly ComparisonRow[]): Table {
  return table(
    rows.map((r) => ({
      model: r.problems?.length ? `${r.name} (damaged)` : r.name,
      v: r.version,
      loss: r.loss,
      optimizer: r.optimizer,
      ratio: r.ratio,
      "train posters": r.trainPosters,
      epochs: r.epochs,
      "train time": minutes(r.trainSeconds),
      backend: r.backend,
      "test mAP": r.testMeanAveragePrecision,
      "acc (original)": r.testOriginalAccuracy === undefined
        ? undefined
        : `${(r.testOriginalAccuracy * 100).toFixed(1)}%`,
      "macro F1": r.testMacroF1,
      "baseline mAP": r.baselineMeanAveragePrecision,
    })),
    { caption: "saved models; test figures from deno task evaluate" },
  );
}
